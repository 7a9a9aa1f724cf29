/**
 * The visualizer's frames: the reducer over real traces (scenarios run in-process), keyframes and
 * seeking, record states, and the narrative.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import type { RunSummary } from '../../../sim/report/summary.js';
import { ArraySink, hashEvents, TRACE_SCHEMA_VERSION, type TraceEvent } from '../../../sim/trace/index.js';
import { apply, emptyFrame, inFlight, recordRuns, replay, subtract, TraceIndex, type Frame } from '../../../viz/derive/frames.js';
import { Model } from '../../../viz/derive/model.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface Run {
  events: TraceEvent[];
  summary: RunSummary;
  hash: string;
}

const runs = new Map<string, Run>();
function run(name: string, seed = 7): Run {
  const key = `${name}@${seed}`;
  let r = runs.get(key);
  if (r !== undefined) return r;
  const sink = new ArraySink();
  const sim = createSimulation(parseScenario(readFileSync(`${ROOT}/scenarios/${name}.yaml`, 'utf8'), name), { seed, sinks: [sink] });
  sim.run();
  r = { events: sink.events, summary: sim.summary(), hash: sim.trace.hasher.digest() };
  runs.set(key, r);
  return r;
}

const firstIndex = (events: TraceEvent[], pred: (e: TraceEvent) => boolean): number => events.findIndex(pred);

describe('frames on killed-leader (seed 7)', () => {
  let r: Run;
  let model: Model;
  let election: number;
  beforeAll(() => {
    r = run('killed-leader');
    model = new Model(1000);
    // Pushed in uneven chunks, as the worker posts them.
    for (let at = 0; at < r.events.length; at += 7777) model.push(r.events.slice(at, at + 7777));
    election = firstIndex(r.events, (e) => e.type === 'election' && e.tp === 'orders-0');
  });

  it('the array sink sees the same trace the hash covers', () => {
    expect(hashEvents(r.events)).toBe(r.hash);
    expect(model.index.length).toBe(r.events.length);
  });

  it('starts from the header: leaders are the first replicas, full ISR, epoch 0', () => {
    const f = model.index.frameAt(0);
    expect(f.header?.scenario).toBe('killed-leader');
    expect(Object.keys(f.brokers).map(Number)).toEqual([1, 2, 3]);
    expect(f.partitions['orders-0'].leader).toBe(1);
    expect(f.partitions['orders-0'].isr).toEqual([1, 2, 3]);
    expect(f.partitions['orders-0'].leaderEpoch).toBe(0);
  });

  it('at the election shows the new leader and the shrunk ISR; just before, the old state', () => {
    expect(election).toBeGreaterThan(0);
    const at = model.index.frameAt(election);
    const p = at.partitions['orders-0'];
    expect(p.leader).toBe(2);
    expect(p.leaderEpoch).toBe(1);
    expect(p.isr).toEqual([2, 3]);
    expect(p.lastElection?.clean).toBe(true);
    expect(at.brokers[1].fenced).toBe(true);
    expect(at.brokers[1].state).toBe('crashed');

    const fence = firstIndex(r.events, (e) => e.type === 'fence' && e.broker === 1);
    expect(fence).toBe(election - 1);
    expect(model.index.frameAt(fence).brokers[1].fenced).toBe(true);
    const before = model.index.frameAt(fence - 1);
    expect(before.partitions['orders-0'].leader).toBe(1);
    expect(before.partitions['orders-0'].isr).toEqual([1, 2, 3]);
    expect(before.partitions['orders-0'].leaderEpoch).toBe(0);
    // b1 crashed at 10 s, but is fenced only now.
    expect(before.brokers[1].state).toBe('crashed');
    expect(before.brokers[1].fenced).toBe(false);

    const early = model.index.frameAt(firstIndex(r.events, (e) => e.t >= 5_000_000));
    expect(early.brokers[1].state).toBe('up');
    // b1 led orders-0 until it crashed: its log is the longest then.
    const e0 = early.partitions['orders-0'];
    expect(e0.logs[1].leo).toBeGreaterThan(0);
    expect(e0.logs[1].hw).toBeLessThanOrEqual(e0.logs[1].leo);
  });

  it('after the restart the ISR expands again and the broker is up', () => {
    const end = model.index.frameAt(r.events.length - 1);
    expect(end.ended).toBe(true);
    expect(end.brokers[1].state).toBe('up');
    expect([...end.partitions['orders-0'].isr].sort()).toEqual([1, 2, 3]);
    expect(end.stats.lostAcked).toBe(0);
    expect(end.stats.acked).toBe(r.summary.records.acked);
  });

  it('frameAt equals a straight replay, in any seek order', () => {
    const idx = model.index;
    const probes = [election, 5, r.events.length - 1, election - 1, 123_456, 1999, 2000, 2001, 0, -1, 250_000, 250_001];
    for (const i of probes) {
      const want = replay(emptyFrame(), r.events, 0, i);
      expect(idx.frameAt(i)).toEqual(want);
    }
  });

  it('the reducer is pure: apply returns a new frame and leaves the old one alone', () => {
    const f0 = model.index.frameAt(election - 1);
    const copy = JSON.parse(JSON.stringify(f0));
    const f1 = apply(f0, r.events[election]);
    expect(f1).not.toBe(f0);
    expect(JSON.parse(JSON.stringify(f0))).toEqual(copy);
    expect(f1.partitions['orders-0'].leader).toBe(2);
    // Structural sharing: untouched partitions are the same objects.
    expect(f1.partitions['orders-1']).toBe(f0.partitions['orders-1']);
  });

  it('keyframes and frames are frozen all the way down', () => {
    const frozen = (x: unknown, path: string): void => {
      if (typeof x !== 'object' || x === null) return;
      expect(Object.isFrozen(x), path).toBe(true);
      if (x instanceof Map) {
        expect(() => x.set(-1, 0), path).toThrow();
        return;
      }
      for (const k of Object.keys(x)) frozen((x as Record<string, unknown>)[k], `${path}.${k}`);
    };
    const k = model.index.keyframes;
    for (const at of [0, 1, 5, k.length - 1]) frozen(k[at], `keyframe ${at}`);
    for (const i of [election, election + 1500, r.events.length - 1]) frozen(model.index.frameAt(i), `frame ${i}`);
  });

  it('keyframes share structure', () => {
    const k = model.index.keyframes;
    expect(k.length).toBe(Math.floor(r.events.length / 1000) + 1);
    // The header never changes after it is set.
    expect(k[5].header).toBe(k[6].header);
  });

  it('record states on the leader partition the log', () => {
    const f = model.index.frameAt(election - 1);
    const p = f.partitions['orders-0'];
    const runs = recordRuns(p, 1);
    expect(runs[0].start).toBe(0);
    expect(runs[runs.length - 1].end).toBe(p.logs[1].leo);
    for (let k = 1; k < runs.length; k++) expect(runs[k].start).toBe(runs[k - 1].end);
    expect(runs.some((x) => x.state === 'acked')).toBe(true);
  });

  it('a crashed replica still in the ISR holds the HW back: records above it are on some followers only', () => {
    // Just before the fence, b1 (crashed at 10 s) is still in orders-1's ISR.
    const fence = firstIndex(r.events, (e) => e.type === 'fence' && e.broker === 1);
    const p = model.index.frameAt(fence - 1).partitions['orders-1'];
    expect(p.isr).toContain(1);
    const runs = recordRuns(p, p.leader);
    const partial = runs.find((x) => x.state === 'partial');
    expect(partial).toBeDefined();
    expect(partial!.start).toBe(Math.max(p.logs[1].leo, p.logs[p.leader].hw));
    // Followers' rows: a follower's records are below or above its own HW.
    for (const x of recordRuns(p, 3)) expect(['follower', 'followerCommitted', 'acked']).toContain(x.state);
  });

  it('the narrative tells the story in order, with Kafka terms', () => {
    const texts = model.items.map((x) => x.text);
    const crash = texts.findIndex((x) => x.startsWith('broker 1 crashed'));
    const fence = texts.findIndex((x) => /broker 1 missed heartbeats for \d+\.\d s and was fenced/.test(x));
    const elect = texts.findIndex((x) => x.includes('orders-0: leader 1 → 2 (epoch 1, clean: 2 was in the ISR [1,2,3])'));
    const expand = texts.findIndex((x) => x.startsWith('orders-0: 1 caught up'));
    expect(crash).toBeGreaterThanOrEqual(0);
    expect(fence).toBeGreaterThan(crash);
    expect(elect).toBeGreaterThan(fence);
    expect(expand).toBeGreaterThan(elect);
    expect(model.items[elect].i).toBe(election);
    expect(texts[texts.length - 1]).toContain(`end of run: ${r.summary.records.acked} record(s) acknowledged`);
  });

  it('messages in flight: sent at or before t, due after t', () => {
    // At a message being sent (traffic has quiet instants when every fetch is parked at its leader).
    const i = r.events.findIndex((e, k) => k >= 100_000 && e.type === 'msg' && e.dropped === undefined && e.recvUs > e.t);
    const t = r.events[i].t;
    const fl = inFlight(r.events, i, t);
    expect(fl.length).toBeGreaterThan(0);
    for (const m of fl) {
      expect(m.t).toBeLessThanOrEqual(t);
      expect(m.recvUs).toBeGreaterThan(t);
    }
  });

  it('series: acked records add up', () => {
    const total = model.series.points.reduce((s, p) => s + p.acked, 0);
    expect(total).toBe(r.summary.records.acked);
  });
});

describe('lost records match the checker', () => {
  for (const name of ['unclean-election-loss', 'acks1-leader-loss', 'power-loss', 'min-isr-rejects']) {
    it(name, () => {
      const r = run(name);
      const idx = new TraceIndex({ every: 5000 });
      idx.push(r.events);
      const end: Frame = idx.frameAt(r.events.length - 1);
      expect(end.stats.lostAcked).toBe(r.summary.records.lostAcked);
      expect(end.stats.truncated).toBe(r.summary.records.truncated);
      const perPartition = Object.values(end.partitions).reduce((s, p) => s + p.lostCount, 0);
      expect(perPartition).toBe(r.summary.records.lostAcked);
    });
  }

  it('unclean election: the narrative names it and the lost records', () => {
    const r = run('unclean-election-loss');
    const m = new Model();
    m.push(r.events);
    const unclean = m.items.find((x) => x.kind === 'election' && x.text.includes('UNCLEAN'));
    expect(unclean?.text).toContain('orders-0: leader 1 → 2 (epoch 1, UNCLEAN');
    const trunc = m.items.find((x) => x.kind === 'truncate' && x.text.startsWith('broker'));
    expect(trunc?.text).toMatch(/broker 1 truncated orders-0 to offset \d+, removing \d+ record\(s\): its log diverged/);
    expect(trunc?.text).toContain(`${r.summary.records.lostAcked} acknowledged record(s) are now on no replica: LOST`);
    expect(trunc?.severe).toBe(true);
  });
});

describe('KIP-966 in the narrative (kip966-empty-isr-power-loss-4.1)', () => {
  it('tells the empty ISR, the unclean-shutdown removal and the last known leader', () => {
    const r = run('catalog/kip966-empty-isr-power-loss-4.1', 1);
    const m = new Model();
    m.push(r.events);
    const texts = m.items.map((x) => x.text);
    expect(texts.find((t) => t.includes('ISR [1] → []'))).toContain('the ISR is empty and [1] is the last known leader');
    expect(texts.find((t) => t.includes('took it out of the ISR and ELR'))).toContain('orders-0: a broker registered again after an unclean shutdown');
    expect(texts.find((t) => t.includes('UNCLEAN: ISR and ELR were both empty'))).toContain('leader none → 1');
    expect(texts.find((t) => t.includes('left the ELR; with ISR and ELR empty'))).toContain('[] → [1]');
  });
});

describe('cluster changes (add-broker-reassign, add-partitions-remaps-keys)', () => {
  it('a broker added later joins the frame; a reassignment marks adding and removing, then leaves the target replicas', () => {
    const r = run('add-broker-reassign', 1);
    const m = new Model(1000);
    m.push(r.events);
    const added = firstIndex(r.events, (e) => e.type === 'broker' && e.broker === 4);
    expect(m.index.frameAt(added - 1).brokers[4]).toBeUndefined();
    expect(m.index.frameAt(added).brokers[4]).toMatchObject({ process: 'running', fenced: true });
    const start = firstIndex(r.events, (e) => e.type === 'reassign' && e.tp === 'orders-0');
    const done = firstIndex(r.events, (e) => e.type === 'reassign' && e.tp === 'orders-0' && e.phase === 'complete');
    expect(m.index.frameAt(start).partitions['orders-0']).toMatchObject({ replicas: [4, 2, 3, 1], adding: [4], removing: [1] });
    const after = m.index.frameAt(done).partitions['orders-0'];
    expect(after).toMatchObject({ replicas: [4, 2, 3], adding: [], removing: [] });
    expect(after.logs[1]).toBeUndefined();
    const texts = m.items.map((x) => x.text);
    expect(texts).toContain('broker 4 started: a new broker joins the cluster; it registers with the controller and hosts nothing until partitions are placed on it');
    expect(texts.find((t) => t.startsWith('orders-0: reassignment starts'))).toContain('adding [4], removing [1]');
    expect(texts.find((t) => t.startsWith('orders-0: leader 1 → 4'))).toContain('the reassignment removed 1, and 4 is the first target replica in the ISR');
  });

  it('added partitions get blocks, led by the first of their ISR; the producer’s remap is told', () => {
    const r = run('add-partitions-remaps-keys', 1);
    const m = new Model(1000);
    m.push(r.events);
    const at = firstIndex(r.events, (e) => e.type === 'partitions');
    expect(Object.keys(m.index.frameAt(at - 1).partitions)).toHaveLength(4);
    const f = m.index.frameAt(at);
    expect(Object.keys(f.partitions)).toHaveLength(8);
    const ev = r.events[at] as Extract<TraceEvent, { type: 'partitions' }>;
    expect(f.partitions['orders-7']).toMatchObject({ replicas: ev.replicas[3], isr: ev.isr[3], leader: ev.isr[3]![0], leaderEpoch: 0 });
    expect(m.items.map((x) => x.text).find((t) => t.startsWith('producer p1 sees 8 partitions'))).toContain('488 of the keys');
  });
});

describe('a failed disk (disk-failure)', () => {
  it('the broker lists the failed log directory from the disk event until it is replaced; its replicas say disk failed until they write again', () => {
    const r = run('disk-failure', 1);
    const model = new Model(1000);
    model.push(r.events);
    const failed = firstIndex(r.events, (e) => e.type === 'disk' && e.state === 'failed');
    const replaced = firstIndex(r.events, (e) => e.type === 'disk' && e.state === 'replaced');
    expect(failed).toBeGreaterThan(0);
    expect(replaced).toBeGreaterThan(failed);
    expect(model.index.frameAt(failed - 1).brokers[2].failedDirs).toBeUndefined();
    expect(model.index.frameAt(failed).brokers[2].failedDirs).toEqual(['/data/2']);
    expect(model.index.frameAt(replaced - 1).brokers[2].failedDirs).toEqual(['/data/2']);
    expect(model.index.frameAt(replaced).brokers[2].failedDirs).toBeUndefined();
    expect(model.index.frameAt(failed).brokers[1].failedDirs).toBeUndefined();
    const truncated = firstIndex(r.events, (e) => e.type === 'truncate' && e.reason === 'diskFailure');
    const tp = (r.events[truncated] as { tp: string }).tp;
    expect(model.index.frameAt(truncated).partitions[tp].logs[2].diskFailed).toBe(true);
    expect(model.index.frameAt(r.events.length - 1).partitions[tp].logs[2].diskFailed).toBeUndefined();
    // Seeking copies what the events after a keyframe touch: the failed disk survives the copies.
    for (const i of [failed, truncated + 1, truncated + 999, Math.floor((truncated + replaced) / 2), replaced, replaced + 1]) {
      expect(model.index.frameAt(i)).toEqual(replay(emptyFrame(), r.events, 0, i));
    }
  });
});

describe('messages held on a cut link (link-cut-delays)', () => {
  it('are not drawn while held, fly again from their retransmission, and the narrative tells it', () => {
    const r = run('link-cut-delays', 1);
    const resend = r.events.findIndex((e) => e.type === 'resend' && e.kind === 'Produce');
    expect(resend).toBeGreaterThan(0);
    const ev = r.events[resend] as Extract<TraceEvent, { type: 'resend' }>;
    const sent = r.events.find((e) => e.type === 'msg' && e.id === ev.id)!;
    // While held (after the cut, before the retransmission) the message is nowhere in flight.
    const heldAt = r.events.findIndex((e) => e.type === 'held' && e.id === ev.id);
    const during = r.events.findIndex((e, k) => k > heldAt && e.t >= 11_000_000);
    expect(inFlight(r.events, during, r.events[during].t).some((m) => m.id === ev.id)).toBe(false);
    expect(sent.t).toBeLessThan(11_000_000);
    // At its retransmission it flies from p:p1 to its leader until its new arrival.
    const fl = inFlight(r.events, resend, ev.t).find((m) => m.id === ev.id);
    expect(fl).toMatchObject({ from: 'p:p1', kind: 'Produce', t: ev.t, recvUs: ev.recvUs });
    const m = new Model();
    m.push(r.events);
    const item = m.items.find((x) => x.text.startsWith('producer p1 → ') && x.text.includes('retransmission timer fired'));
    expect(item?.text).toMatch(/^producer p1 → broker \d: the link is up again and TCP's retransmission timer fired: \d+ held message\(s\) go out again, in order$/);
    expect(item?.t).toBe(ev.t);
  });
});

describe('helpers', () => {
  it('subtract', () => {
    expect(subtract([{ start: 0, end: 10 }], { start: 3, end: 5 })).toEqual([
      { start: 0, end: 3 },
      { start: 5, end: 10 },
    ]);
    expect(subtract([{ start: 0, end: 10 }], { start: 0, end: 10 })).toEqual([]);
    expect(subtract([{ start: 0, end: 10 }], { start: 10, end: 12 })).toEqual([{ start: 0, end: 10 }]);
  });

  it('indexAtTime finds the last event at or before t', () => {
    const r = run('killed-leader');
    const idx = new TraceIndex();
    idx.push(r.events.slice(0, 50_000));
    const i = idx.indexAtTime(1_000_000);
    expect(r.events[i].t).toBeLessThanOrEqual(1_000_000);
    expect(r.events[i + 1].t).toBeGreaterThan(1_000_000);
    expect(idx.indexAtTime(-1)).toBe(-1);
  });
});

describe('scale', () => {
  // How fast indexing and seeking are is measured by the benchmarks (npm run bench:viz), not asserted here.
  it('indexes 1M events into a keyframe every `every` events, and seeks to the same frame in any order', () => {
    // Repeat a real trace's body with shifted times until we have a million events.
    const base = run('killed-leader').events;
    const body = base.slice(1, -1);
    const events: TraceEvent[] = [base[0]];
    let round = 0;
    while (events.length < 1_000_000) {
      const dt = round * 70_000_000;
      for (const e of body) {
        if (events.length >= 1_000_000) break;
        events.push({ ...e, t: e.t + dt } as TraceEvent);
      }
      round++;
    }
    const idx = new TraceIndex({ every: 4000 });
    for (let at = 0; at < events.length; at += 50_000) idx.push(events.slice(at, at + 50_000));
    expect(idx.length).toBe(1_000_000);
    // A seek replays at most `every` events from the keyframe below it.
    expect(idx.keyframes.length).toBe(1 + 1_000_000 / 4000);
    const at = [999_999, 3, 500_000, 250_123, 777_777, 1234];
    const jumping = at.map((i) => idx.frameAt(i));
    const forward = [...at].sort((a, b) => a - b).map((i) => [i, idx.frameAt(i)] as const);
    for (const [i, f] of forward) expect(f, `frame ${i}`).toEqual(jumping[at.indexOf(i)]);
    expect(jumping[0].index).toBe(999_999);
  });
});

describe('trace files', () => {
  it('an NDJSON trace read back gives the same events and hash', async () => {
    const { parseTrace, looksLikeTrace } = await import('../../../viz/io/trace-file.js');
    const { toNdjson } = await import('../../../sim/trace/index.js');
    const r = run('killed-leader');
    const text = toNdjson(r.events.slice(0, 5000));
    expect(looksLikeTrace(text)).toBe(true);
    expect(looksLikeTrace('name: x\n', 'x.yaml')).toBe(false);
    const back = parseTrace(text, 'x.ndjson');
    expect(hashEvents(back)).toBe(hashEvents(r.events.slice(0, 5000)));
  });

  it('bad traces give one-line messages with the line number', async () => {
    const { parseTrace } = await import('../../../viz/io/trace-file.js');
    const V = TRACE_SCHEMA_VERSION;
    const header = `{"type":"header","t":0,"schema":${V},"scenario":"x","seed":1,"kafkaVersion":"4.1","controller":"kraft","sessionTimeoutMs":9000,"truncation":"divergingEpoch","durationUs":10,"brokers":[1],"topics":[],"producers":[],"consumers":[]}`;
    expect(() => parseTrace(`${header}\n{oops\n`, 'a.ndjson')).toThrow('a.ndjson: line 2: not JSON: {oops');
    expect(() => parseTrace('{"type":"msg","t":0}\n', 'b.ndjson')).toThrow('b.ndjson: line 1: the first event must be the header, got msg');
    expect(() => parseTrace('{"type":"header","t":0,"schema":99}\n', 'c.ndjson')).toThrow(`c.ndjson: trace schema 99, kafkasim reads schema ${V}`);
    expect(() => parseTrace(`${header}\n{"type":"nope","t":1}\n`, 'd.ndjson')).toThrow('d.ndjson: line 2: not a trace event (type "nope")');
    expect(() => parseTrace('\n\n', 'e.ndjson')).toThrow('e.ndjson: empty trace');
    expect(() => parseTrace(`{"type":"header","t":0,"schema":${V}}\n`, 'f.ndjson')).toThrow('f.ndjson: line 1: a header event without "scenario" (expected a string)');
  });
});

describe('divergence between replicas', () => {
  it('finds the first offset where two logs hold records of different epochs', async () => {
    const { firstDivergence } = await import('../../../viz/derive/frames.js');
    const a = {
      broker: 1,
      leo: 10,
      hw: 10,
      flushed: 0,
      epochs: [
        { epoch: 0, start: 0 },
        { epoch: 1, start: 6 },
      ],
    };
    const b = {
      broker: 2,
      leo: 8,
      hw: 8,
      flushed: 0,
      epochs: [
        { epoch: 0, start: 0 },
        { epoch: 2, start: 5 },
      ],
    };
    expect(firstDivergence(a, b)).toBe(5);
    expect(firstDivergence(a, a)).toBe(-1);
    const c = { broker: 3, leo: 6, hw: 6, flushed: 0, epochs: [{ epoch: 0, start: 0 }] };
    expect(firstDivergence(a, c)).toBe(-1); // a prefix is not a divergence
  });
});
