/**
 * Where the what-if chart writes each point's bottleneck label: a box of the label's measured size near its
 * point, inside the plot area, over no other label, no obstacle (the axes' tick labels, the legend) and, if
 * it can, no point. Pure: the caller measures the texts (getComputedTextLength/getBBox in the page, an
 * estimate in tests) and draws the boxes.
 *
 * Greedy, in the labels' order: each takes the nearest free place among a fixed set of candidates around its
 * point (under it first, as the chart has always written them, then above, beside, then farther up or down),
 * a line it would cross counting as some distance (a label over its own line reads as struck through).
 * A label with no free place is left out (undefined): the point's tooltip and the table still name it.
 */

/** A box: its top-left corner and size, in the chart's coordinates (y grows downwards). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A label to place: its point (the dot's centre and radius) and its text's size. */
export interface LabelAt {
  x: number;
  y: number;
  /** The point's radius (its dot); 0 for none. */
  r: number;
  width: number;
  height: number;
}

/** A line segment (the chart's lines between points): a label may cross one, but goes elsewhere if it can. */
export interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface PlaceOptions {
  /** Space between a label and its point. */
  gap?: number;
  /** Space kept between a label and another label or an obstacle. */
  pad?: number;
  /** Lines a label would rather not cross: each one crossed counts as being `lineCost` farther from its point (default 2 lines of text). */
  lines?: readonly Segment[];
  lineCost?: number;
}

/** Whether a and b overlap (boxes that only touch do not). */
export function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Whether a is inside b. */
export function within(a: Box, b: Box): boolean {
  return a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;
}

const grow = (b: Box, by: number): Box => ({ x: b.x - by, y: b.y - by, width: b.width + 2 * by, height: b.height + 2 * by });

/** The box a dot covers. */
function dotBox(l: LabelAt): Box {
  return { x: l.x - l.r, y: l.y - l.r, width: 2 * l.r, height: 2 * l.r };
}

/** Whether segment s crosses box b (Liang–Barsky clipping). */
export function crosses(s: Segment, b: Box): boolean {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  let t0 = 0;
  let t1 = 1;
  for (const [p, q] of [
    [-dx, s.x1 - b.x],
    [dx, b.x + b.width - s.x1],
    [-dy, s.y1 - b.y],
    [dy, b.y + b.height - s.y1],
  ] as const) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
      if (t0 > t1) return false;
    }
  }
  return true;
}

/** Candidate boxes for one label with their cost (distance from the point; under it preferred), moved inside the area. */
function candidates(l: LabelAt, area: Box, gap: number, pad: number): Array<{ box: Box; cost: number; k: number }> {
  const { width: w, height: h } = l;
  const out: Array<{ box: Box; cost: number; k: number }> = [];
  const push = (x: number, y: number, penalty: number): void => {
    // Moved sideways (and up or down) into the area, as a label at the plot's edge is written inward.
    const cx = Math.min(Math.max(x, area.x), area.x + area.width - w);
    const cy = Math.min(Math.max(y, area.y), area.y + area.height - h);
    const box = { x: cx, y: cy, width: w, height: h };
    const dx = cx + w / 2 - l.x;
    const dy = cy + h / 2 - l.y;
    out.push({ box, cost: Math.hypot(dx, dy) + penalty, k: out.length });
  };
  const near = l.r + gap;
  const under = l.y + near;
  const over = l.y - near - h;
  // Beside the point: right, then left.
  push(l.x + near, l.y - h / 2, 0);
  push(l.x - near - w, l.y - h / 2, 0);
  // Under and above, centred, then shifted by a fifth of the text's width up to twice its width either way,
  // then farther away by half a line (two steps clear a label placed the step before).
  const half = (h + pad + 0.01) / 2;
  for (let step = 0; step <= 16; step++) {
    for (const shift of [0, -0.2, 0.2, -0.4, 0.4, -0.5, 0.5, -0.6, 0.6, -0.8, 0.8, -1, 1, -2, 2]) {
      const x = l.x - w / 2 + shift * (w + pad + 0.01);
      push(x, under + step * half, -h / 2);
      push(x, over - step * half, 0);
    }
  }
  return out;
}

/**
 * Places each label (in order) inside `area`, over no other placed label and no obstacle, keeping `pad`
 * between them, and over no point where it can (a label is only written over a point when it has no other
 * place). Returns each label's box, or undefined for a label that found no place (or is larger than the area).
 */
export function placeLabels(labels: readonly LabelAt[], area: Box, obstacles: readonly Box[], opts: PlaceOptions = {}): Array<Box | undefined> {
  const gap = opts.gap ?? 2;
  const pad = opts.pad ?? 1;
  const dots = labels.filter((l) => l.r > 0).map(dotBox);
  const placed: Array<Box | undefined> = labels.map(() => undefined);
  const taken: Box[] = [];
  const hard = obstacles.map((o) => grow(o, pad));
  const lines = opts.lines ?? [];
  const lineCost = (l: LabelAt, b: Box): number => {
    if (lines.length === 0) return 0;
    const inner = grow(b, -0.5);
    return lines.filter((s) => crosses(s, inner)).length * (opts.lineCost ?? 2 * l.height);
  };
  const free = (b: Box, overDots: boolean): boolean =>
    within(b, area) && !hard.some((o) => overlaps(b, o)) && !taken.some((t) => overlaps(b, grow(t, pad))) && (overDots || !dots.some((d) => overlaps(b, d)));
  // First every label that has a place clear of the points too; then the rest, over a point if they must.
  for (const overDots of [false, true]) {
    labels.forEach((l, i) => {
      if (placed[i] !== undefined || l.width > area.width || l.height > area.height) return;
      // The cheapest free candidate, a line crossed counting as distance (earlier candidates win ties).
      let best: { box: Box; cost: number } | undefined;
      for (const c of candidates(l, area, gap, pad)) {
        if (best !== undefined && c.cost >= best.cost) continue;
        const cost = c.cost + lineCost(l, c.box);
        if ((best === undefined || cost < best.cost) && free(c.box, overDots)) best = { box: c.box, cost };
      }
      if (best !== undefined) {
        placed[i] = best.box;
        taken.push(best.box);
      }
    });
  }
  return placed;
}

/**
 * The leader line from a point to its label when the label is not beside it (undefined when it is): from
 * the dot's edge to the label box's nearest point.
 */
export function leader(l: LabelAt, box: Box, gap = 2): { x1: number; y1: number; x2: number; y2: number } | undefined {
  const nx = Math.min(Math.max(l.x, box.x), box.x + box.width);
  const ny = Math.min(Math.max(l.y, box.y), box.y + box.height);
  const d = Math.hypot(nx - l.x, ny - l.y);
  if (d <= l.r + gap + 2) return undefined;
  return { x1: l.x + ((nx - l.x) * l.r) / d, y1: l.y + ((ny - l.y) * l.r) / d, x2: nx, y2: ny };
}
