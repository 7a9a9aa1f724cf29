/**
 * "Why were these records lost?" (viz/why.ts): the chain of events read from the trace, on the scenarios
 * that lose acknowledged records, and the lessons it draws.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { ArraySink } from '../../../sim/trace/index.js';
import { Model } from '../../../viz/derive/model.js';
import { explainLoss, lostAt } from '../../../viz/derive/why.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function model(name: string, seed: number): Model {
  const sink = new ArraySink();
  const sim = createSimulation(parseScenario(readFileSync(`${ROOT}/scenarios/${name}.yaml`, 'utf8'), name), { seed, sinks: [sink] });
  sim.run();
  const m = new Model();
  m.push(sink.events);
  return m;
}

/** The explanation of the first lost range of `tp` at the end of the run. */
function why(name: string, seed: number, tp = 'orders-0') {
  const m = model(name, seed);
  const end = m.index.frameAt(m.index.length - 1);
  const lost = lostAt(end, tp, { offset: end.partitions[tp].lost[0]?.start ?? -1 });
  if (lost === undefined) throw new Error(`${name} (seed ${seed}): no lost records on ${tp}`);
  return { m, lost, w: explainLoss(m.index, m.items, tp, lost) };
}

describe('why were these records lost', () => {
  const cases: Array<[string, number, RegExp[], RegExp[]]> = [
    // [scenario, seed, steps that must appear (in order), lessons]
    [
      'acks1-leader-loss',
      3,
      [
        /^leader b3 appended/,
        /acks=1.*not committed yet; only the leader b3 had them/,
        /broker 3 crashed/,
        /leader 3 → 1 .*b1 did not have the records/,
        /broker 3 truncated orders-0 to offset 4998.*No replica holds/,
      ],
      [/^acks=1: /],
    ],
    [
      'unclean-election-loss',
      7,
      [/removed \d, \d from the ISR/, /acks=all.*committed; only the leader b\d had them/, /UNCLEAN.*b\d did not have the records/, /LOST\. No replica holds/],
      [/elected uncleanly/, /ISR was just \[\d\]/],
    ],
    ['power-loss', 5, [/acks=all.*committed/, /lost power/, /lost with the page cache/], [/lost power.*page cache/]],
    ['catalog/kip101-hw-truncation-0.10', 7, [/acks=all/, /to its own high watermark/, /UNCLEAN/, /leader's log end offset.*No replica holds/], [/elected uncleanly/, /before KIP-101/]],
    [
      'catalog/kip966-last-replica-standing-3.9',
      7,
      [/acks=all.*committed/, /broker \d lost power/, /leader none → \d .*b\d did not have the records/, /No replica holds/],
      [/elected cleanly.*no longer had the records/, /lost power/],
    ],
  ];
  it.each(cases)('%s (seed %i)', (name, seed, stepPatterns, lessonPatterns) => {
    const { w, lost } = why(name, seed);
    const info = `${name} seed ${seed}:\n${w.steps.map((s) => `  [${s.kind}] ${s.text}`).join('\n')}\n${w.lessons.map((l) => `  * ${l}`).join('\n')}`;
    expect(w.title, info).toMatch(new RegExp(`^Why ${lost.end - lost.start} acknowledged record\\(s\\) of orders-0`));
    // Steps in trace order, from the write to the loss.
    expect(
      w.steps.map((s) => s.i),
      info,
    ).toEqual([...w.steps.map((s) => s.i)].sort((a, b) => a - b));
    expect(w.steps[0].kind, info).toBe('write');
    expect(w.steps.at(-1), info).toMatchObject({ kind: 'lost', i: lost.i });
    let k = 0;
    for (const p of stepPatterns) {
      const at = w.steps.findIndex((s, j) => j >= k && p.test(s.text));
      expect(at, `${info}\nno step matching ${p} after step ${k}`).toBeGreaterThanOrEqual(0);
      k = at;
    }
    for (const p of lessonPatterns)
      expect(
        w.lessons.some((l) => p.test(l)),
        `${info}\nno lesson matching ${p}`,
      ).toBe(true);
  });

  it('finds the lost range by event index or by offset, and nothing where none was lost', () => {
    const { m, lost } = why('acks1-leader-loss', 3);
    const f = m.index.frameAt(m.index.length - 1);
    expect(lostAt(f, 'orders-0', { i: lost.i })).toEqual(lost);
    expect(lostAt(f, 'orders-0', { offset: lost.end - 1 })).toEqual(lost);
    expect(lostAt(f, 'orders-0', { offset: lost.end })).toBeUndefined();
    expect(lostAt(m.index.frameAt(lost.i - 1), 'orders-0', {})).toBeUndefined();
  });
});
