/**
 * The cluster view's consumer-group boxes (viz/views/cluster-layout.ts groupBoxes): around each group's
 * members, with a line for the group's name above them, never over another group's box, at the sizes the
 * page is used at.
 */
import { describe, expect, it } from 'vitest';
import { clusterLayout, groupBoxes, typeMetrics } from '../../../viz/views/cluster-layout.js';

describe('group boxes', () => {
  // Many members reach round the bottom of the ring, beside each other: their boxes may overlap there.
  for (const [groups, per, size, apart] of [
    [1, 3, { width: 826, height: 200 }, true],
    [2, 2, { width: 826, height: 200 }, true],
    [3, 2, { width: 1200, height: 420 }, true],
    [2, 5, { width: 826, height: 260 }, false],
  ] as const) {
    it(`${groups} group(s) of ${per} at ${size.width}×${size.height}: each box holds its members${apart ? ', and no two overlap' : ''}`, () => {
      const consumers = Array.from({ length: groups * per }, (_, k) => ({ node: `c:g${Math.floor(k / per)}-${k % per}`, kind: 'consumer' as const }));
      const pos = clusterLayout({ brokers: [1, 2, 3], clients: [{ node: 'p:p1', kind: 'producer' }, ...consumers] }, size, { legend: true });
      const { line } = typeMetrics();
      const members = Array.from({ length: groups }, (_, g) => ({ group: `g${g}`, nodes: [...pos.values()].filter((d) => d.id.startsWith(`c:g${g}-`)) }));
      const boxes = groupBoxes(members, size.width, line);
      expect(boxes.map((b) => b.group)).toEqual(members.map((m) => m.group));
      for (const [k, b] of boxes.entries()) {
        for (const d of members[k].nodes) {
          expect(d.x - d.r, `${d.id} in ${b.group}`).toBeGreaterThanOrEqual(b.x0);
          expect(d.x + d.r).toBeLessThanOrEqual(b.x1);
          expect(d.y - d.r).toBeGreaterThanOrEqual(b.y0);
          expect(d.y + d.r).toBeLessThanOrEqual(b.y1);
        }
        expect(b.x1).toBeLessThanOrEqual(size.width);
        for (const c of apart ? boxes.slice(k + 1) : []) {
          const apart = c.y0 >= b.y1 || b.y0 >= c.y1 || c.x0 >= b.x1 || b.x0 >= c.x1;
          expect(apart, `${b.group} and ${c.group}`).toBe(true);
        }
      }
    });
  }
});
