/**
 * The what-if chart's bottleneck labels: placed boxes never overlap each other or an obstacle and stay
 * inside the plot area, for random points, text sizes, areas and obstacles (fast-check; the seed is printed,
 * KAFKASIM_LABELS_SEED sets it); and the chart's own cases (two configurations at the same point, a point at
 * the plot's edge) keep every label, near its point.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Box, crosses, type LabelAt, leader, overlaps, placeLabels, within } from '../../../viz/views/whatif-labels.js';

const SEED = Number(process.env.KAFKASIM_LABELS_SEED ?? 20261203);
const RUNS = Number(process.env.KAFKASIM_LABELS_RUNS ?? 500);

/** A text's width as the tests estimate it: 0.6 em a character. */
const textWidth = (text: string, px: number): number => text.length * px * 0.6;

const label = (x: number, y: number, text: string, px = 17): LabelAt => ({ x, y, r: 4.5, width: textWidth(text, px), height: px * 1.2 });

/** Everything wrong with a placement, one line each. */
function problems(labels: readonly LabelAt[], area: Box, obstacles: readonly Box[], boxes: ReadonlyArray<Box | undefined>): string[] {
  const out: string[] = [];
  boxes.forEach((b, i) => {
    if (b === undefined) return;
    const l = labels[i]!;
    if (b.width !== l.width || b.height !== l.height) out.push(`label ${i}: box ${b.width}×${b.height}, text ${l.width}×${l.height}`);
    if (!within(b, area)) out.push(`label ${i} outside the area: ${JSON.stringify(b)}`);
    boxes.forEach((c, j) => {
      if (j > i && c !== undefined && overlaps(b, c)) out.push(`label ${i} over label ${j}`);
    });
    obstacles.forEach((o, j) => {
      if (overlaps(b, o)) out.push(`label ${i} over obstacle ${j}`);
    });
  });
  return out;
}

const area = { x: 0, y: 0, width: 540, height: 300 };

describe(`what-if label placement (fast-check seed ${SEED}; set KAFKASIM_LABELS_SEED to vary)`, () => {
  console.log(`whatif-labels.test.ts: fast-check seed ${SEED}, ${RUNS} runs`);

  it('for random points, text sizes, areas and obstacles: no two boxes overlap, none overlaps an obstacle, all are inside the area', () => {
    const arb = fc
      .record({
        aw: fc.integer({ min: 40, max: 1200 }),
        ah: fc.integer({ min: 30, max: 600 }),
        points: fc.array(
          fc.record({
            fx: fc.double({ min: 0, max: 1, noNaN: true }),
            fy: fc.double({ min: 0, max: 1, noNaN: true }),
            r: fc.constantFrom(0, 3, 4.5),
            w: fc.integer({ min: 4, max: 260 }),
            h: fc.integer({ min: 6, max: 30 }),
          }),
          { maxLength: 40 },
        ),
        obstacles: fc.array(
          fc.record({ fx: fc.double({ min: -0.2, max: 1, noNaN: true }), fy: fc.double({ min: -0.2, max: 1, noNaN: true }), w: fc.integer({ min: 1, max: 300 }), h: fc.integer({ min: 1, max: 60 }) }),
          { maxLength: 8 },
        ),
        // Two configurations at the same point: repeat some points.
        repeat: fc.integer({ min: 0, max: 6 }),
        // Lines through the points (a label would rather not cross them): none, or each point to the next.
        lines: fc.boolean(),
      })
      .map(({ aw, ah, points, obstacles, repeat, lines }) => {
        const a = { x: 10, y: 20, width: aw, height: ah };
        const labels = points.map((p) => ({ x: a.x + p.fx * aw, y: a.y + p.fy * ah, r: p.r, width: p.w, height: p.h }));
        for (let k = 0; k < repeat && k < labels.length; k++) labels.push({ ...labels[k]!, width: Math.max(4, labels[k]!.width - 7) });
        const segments = lines ? labels.slice(1).map((l, k) => ({ x1: labels[k]!.x, y1: labels[k]!.y, x2: l.x, y2: l.y })) : [];
        return { area: a, labels, segments, obstacles: obstacles.map((o) => ({ x: a.x + o.fx * aw, y: a.y + o.fy * ah, width: o.w, height: o.h })) };
      });
    fc.assert(
      fc.property(arb, ({ area, labels, obstacles, segments }) => {
        const boxes = placeLabels(labels, area, obstacles, { lines: segments });
        expect(boxes).toHaveLength(labels.length);
        expect(problems(labels, area, obstacles, boxes)).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('few labels in a roomy area are all placed, for random points', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ fx: fc.double({ min: 0, max: 1, noNaN: true }), fy: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 6 }), (points) => {
        const labels = points.map((p) => label(area.x + p.fx * area.width, area.y + p.fy * area.height, 'b3 nic-out 12%'));
        const boxes = placeLabels(labels, area, []);
        expect(boxes.every((b) => b !== undefined)).toBe(true);
        expect(problems(labels, area, [], boxes)).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('two configurations at the same point: both labels, one under it and one above, neither over the point', () => {
    const dot = { x: 14, y: 270 };
    const labels = [label(dot.x, dot.y, 'b3 nic-out 2%'), label(dot.x + 0.4, dot.y - 1, 'b3 nic-out 2%')];
    const boxes = placeLabels(labels, area, []);
    expect(problems(labels, area, [], boxes)).toEqual([]);
    const [a, b] = boxes as [Box, Box];
    expect(a.y).toBeGreaterThan(dot.y);
    expect(b.y + b.height).toBeLessThan(dot.y);
    for (const box of [a, b]) expect(overlaps(box, { x: dot.x - 4.5, y: dot.y - 5.5, width: 9.4, height: 10 })).toBe(false);
    // Near the point: beside it, no leader line needed.
    expect(leader(labels[0]!, a)).toBeUndefined();
    expect(leader(labels[1]!, b)).toBeUndefined();
  });

  it('a point at the bottom edge: its label goes above it, inward from the right edge, clear of a tick label', () => {
    const tick = { x: 520, y: 302, width: 40, height: 20 };
    const l = label(540, 298, 'b1 disk-write 21%');
    const [b] = placeLabels([l], area, [tick]);
    expect(b).toBeDefined();
    expect(b!.y + b!.height).toBeLessThanOrEqual(298 - 4.5);
    expect(b!.x + b!.width).toBeLessThanOrEqual(540);
  });

  it('a label with no room is left out, and one wider than the area too', () => {
    const small = { x: 0, y: 0, width: 100, height: 30 };
    const labels = [label(50, 15, 'aaaaaa', 12), label(50, 15, 'bbbbbb', 12), label(50, 15, 'cccccc', 12), label(50, 15, 'x'.repeat(30), 12)];
    const boxes = placeLabels(labels, small, []);
    expect(problems(labels, small, [], boxes)).toEqual([]);
    expect(boxes[3]).toBeUndefined();
    expect(boxes.filter((b) => b !== undefined).length).toBeGreaterThanOrEqual(2);
  });

  it('a label goes off its own line when a place as near is free: under a rising line, not under a falling one', () => {
    const l = label(200, 150, 'b3 nic-out 9%');
    const rising = { x1: 200, y1: 150, x2: 400, y2: 20 };
    const falling = { x1: 200, y1: 150, x2: 260, y2: 290 };
    const [under] = placeLabels([l], area, [], { lines: [rising] });
    expect(under!.y).toBeGreaterThan(150);
    expect(crosses(rising, under!)).toBe(false);
    const [other] = placeLabels([l], area, [], { lines: [falling] });
    expect(crosses(falling, other!)).toBe(false);
    expect(leader(l, other!)).toBeUndefined();
  });

  it('crosses: a segment through a box, ending inside it, or passing beside it', () => {
    const b = { x: 10, y: 10, width: 20, height: 10 };
    expect(crosses({ x1: 0, y1: 15, x2: 40, y2: 15 }, b)).toBe(true);
    expect(crosses({ x1: 15, y1: 15, x2: 15, y2: 16 }, b)).toBe(true);
    expect(crosses({ x1: 0, y1: 0, x2: 40, y2: 5 }, b)).toBe(false);
    expect(crosses({ x1: 0, y1: 30, x2: 10, y2: 0 }, b)).toBe(false);
  });

  it('draws a leader line from the dot to a label moved away from it', () => {
    const l = label(100, 100, 'b1 nic-in 3%');
    const line = leader(l, { x: 80, y: 140, width: l.width, height: l.height })!;
    expect(line.x2).toBe(100);
    expect(line.y2).toBe(140);
    expect(Math.hypot(line.x1 - 100, line.y1 - 100)).toBeCloseTo(4.5);
  });
});
