/** The charts' series (viz/model.ts Series): produce latency percentiles per bucket, checked against a direct computation. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { ArraySink } from '../../../sim/trace/index.js';
import { Model } from '../../../viz/derive/model.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('series', () => {
  it.each([
    ['killed-leader', 7],
    ['acks1-leader-loss', 3],
  ] as const)('%s (seed %i): p50 and p99 per bucket are the nearest-rank percentiles of its acks', (name, seed) => {
    const sink = new ArraySink();
    createSimulation(parseScenario(readFileSync(`${ROOT}/scenarios/${name}.yaml`, 'utf8'), name), { seed, sinks: [sink] }).run();
    const m = new Model();
    m.push(sink.events);
    const { points, width } = m.series;
    // Directly: batch creation → successful ack, by bucket of the ack.
    const first = new Map<string, number>();
    const lats = new Map<number, number[]>();
    for (const ev of sink.events) {
      if (ev.type === 'batch') first.set(`${ev.tp}|${ev.pid}|${ev.seq}`, ev.firstUs);
      else if (ev.type === 'ack') {
        const f = first.get(`${ev.tp}|${ev.pid}|${ev.seq}`);
        first.delete(`${ev.tp}|${ev.pid}|${ev.seq}`);
        if (ev.error !== 'NONE' || f === undefined) continue;
        const k = Math.floor(ev.t / width);
        if (!lats.has(k)) lats.set(k, []);
        lats.get(k)!.push((ev.t - f) / 1000);
      }
    }
    expect(lats.size).toBeGreaterThan(10);
    const rank = (xs: number[], q: number) => xs[Math.max(0, Math.ceil(q * xs.length) - 1)];
    for (let k = 0; k < points.length; k++) {
      const xs = (lats.get(k) ?? []).sort((a, b) => a - b);
      if (xs.length === 0) {
        expect(points[k].p50Ms, `bucket ${k}`).toBeNaN();
        continue;
      }
      expect(points[k].p50Ms, `bucket ${k}`).toBe(rank(xs, 0.5));
      expect(points[k].p99Ms, `bucket ${k}`).toBe(rank(xs, 0.99));
      expect(points[k].p50Ms).toBeLessThanOrEqual(points[k].p99Ms);
    }
  });
});
