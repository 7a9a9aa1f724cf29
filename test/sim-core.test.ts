import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel, TimeTravelError } from '../sim/kernel/kernel.js';
import { murmur2, partitionForKey } from '../sim/kafka/clients/partitioner.js';
import { PartitionLog, type RecordBatch } from '../sim/kafka/partition-log.js';
import { placeReplicas } from '../sim/kafka/placement.js';
import { Streams } from '../sim/kernel/random.js';
import { parseScenario } from '../sim/scenario/parse.js';
import { createSimulation } from '../sim/run/simulation.js';
import { ArraySink, EVENT_FIELDS, hashEvents, toNdjson, type TraceEvent } from '../sim/trace/index.js';

describe('kernel', () => {
  it('orders events by time, then by scheduling order', () => {
    const k = new Kernel();
    const seen: string[] = [];
    k.at(20, () => seen.push('b'));
    k.at(10, () => seen.push('a'));
    k.at(20, () => seen.push('c'));
    k.run();
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(k.now).toBe(20);
  });

  it('refuses to schedule in the past', () => {
    const k = new Kernel();
    k.at(10, () => {});
    k.run();
    expect(() => k.at(5, () => {})).toThrow(TimeTravelError);
  });

  it('runUntil stops at the given time and moves the clock there', () => {
    const k = new Kernel();
    const seen: number[] = [];
    for (const t of [5, 15, 25]) k.at(t, () => seen.push(t));
    k.runUntil(20);
    expect(seen).toEqual([5, 15]);
    expect(k.now).toBe(20);
  });

  it('pops any schedule in (time, sequence) order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 200 }), (times) => {
        const k = new Kernel();
        const fired: Array<[number, number]> = [];
        times.forEach((t, i) => k.at(t, () => fired.push([t, i])));
        k.run();
        const sorted = [...fired].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(fired).toEqual(sorted);
      }),
    );
  });
});

describe('named random streams', () => {
  it('are independent: drawing from one does not shift another', () => {
    const a = new Streams(7);
    const b = new Streams(7);
    const x1 = a.get('network')();
    b.get('faults')();
    b.get('faults')();
    expect(b.get('network')()).toBe(x1);
  });
});

describe('murmur2 partitioner', () => {
  // Kafka's UtilsTest.testMurmur2 vectors.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%s) = %i as in Kafka', (s, h) => {
    expect(murmur2(new TextEncoder().encode(s))).toBe(h);
  });

  it('maps a key to (murmur2 & 0x7fffffff) % partitions', () => {
    expect(partitionForKey('foobar', 6)).toBe((-790332482 & 0x7fffffff) % 6);
  });
});

describe('replica placement (StripedReplicaPlacer, no racks)', () => {
  it('gives each partition RF distinct brokers, consecutive from a rotating start', () => {
    const rng = new Streams(1).get('placement');
    const out = placeReplicas([1, 2, 3, 4], 4, 3, rng);
    for (const r of out) expect(new Set(r).size).toBe(3);
    const firsts = out.map((r) => r[0]);
    expect(new Set(firsts).size).toBe(4);
    for (const r of out) {
      const i = [1, 2, 3, 4].indexOf(r[0]);
      expect(r).toEqual([0, 1, 2].map((j) => [1, 2, 3, 4][(i + j) % 4]));
    }
  });
});

function batch(pid: number, seq: number, count: number): RecordBatch {
  return { pid, seq, count, idempotent: true, bytes: 100, createUs: new Array(count).fill(0) };
}

describe('partition log and leader epochs', () => {
  it('answers endOffsetForEpoch as LeaderEpochFileCache.endOffsetFor', () => {
    const log = new PartitionLog('t-0');
    log.append({ offset: 0, epoch: 0, batch: batch(1, 0, 5) });
    log.append({ offset: 5, epoch: 2, batch: batch(1, 5, 5) });
    log.append({ offset: 10, epoch: 4, batch: batch(1, 10, 2) });
    expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 4, endOffset: 12 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 2, endOffset: 10 });
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 0, endOffset: 5 });
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: -1, endOffset: -1 });
  });

  it('truncates whole batches and forgets epochs past the new end', () => {
    const log = new PartitionLog('t-0');
    log.append({ offset: 0, epoch: 0, batch: batch(1, 0, 5) });
    log.append({ offset: 5, epoch: 1, batch: batch(1, 5, 5) });
    log.hw = 10;
    expect(log.truncateTo(7)).toBe(5);
    expect(log.leo).toBe(5);
    expect(log.hw).toBe(5);
    expect(log.latestEpoch).toBe(0);
    expect(log.recentBatchesOf(1).map((e) => e.offset)).toEqual([0]);
  });
});

const killedLeader = parseScenario(readFileSync('scenarios/killed-leader.yaml', 'utf8'), 'killed-leader.yaml');

describe('the trace', { timeout: 30_000 }, () => {
  const sink = new ArraySink();
  const sim = createSimulation(killedLeader, { seed: 3, sinks: [sink] });
  sim.run();

  it('has exactly the documented fields on every event, in the field table order (EVENT_FIELDS)', () => {
    const bad = new Set<string>();
    for (const ev of sink.events) {
      const fields = EVENT_FIELDS[ev.type];
      for (const k of Object.keys(ev)) if (!fields.includes(k)) bad.add(`${ev.type}.${k}`);
      // In table order (absent optional fields left out): the form the page reads straight from the bytes.
      const keys = Object.keys(ev).join();
      if (keys !== fields.filter((k) => k in ev).join()) bad.add(`${ev.type}: ${keys}`);
    }
    expect([...bad]).toEqual([]);
  });

  it('hashes an event the same whatever its keys order, extra keys ignored', () => {
    const sample = sink.events.filter((ev, i) => i < 2000 || ev.type !== sink.events[i - 1].type);
    const reordered = sample.map((ev) => Object.fromEntries(Object.entries(ev).reverse()) as unknown as TraceEvent);
    const extra = sample.map((ev) => ({ ...ev, extra: [1, 'x'] }) as unknown as TraceEvent);
    const absent = sample.map((ev) => Object.fromEntries(Object.entries(ev).filter(([, v]) => v !== undefined)) as unknown as TraceEvent);
    const h = hashEvents(sample);
    expect(hashEvents(reordered)).toBe(h);
    expect(hashEvents(extra)).toBe(h);
    expect(hashEvents(absent)).toBe(h);
    // An optional field set to undefined hashes as left out.
    const msg = sample.find((ev) => ev.type === 'msg')!;
    expect(hashEvents([{ ...msg, dropped: undefined } as TraceEvent])).toBe(hashEvents([msg]));
  });

  it('hashes the same when read back from NDJSON', () => {
    const text = toNdjson(sink.events);
    const back = text.trim().split('\n').map((l) => JSON.parse(l) as TraceEvent);
    expect(hashEvents(back)).toBe(sim.trace.hasher.digest());
  });

  it('starts with a header and ends with end, in time order', () => {
    expect(sink.events[0].type).toBe('header');
    expect(sink.events[sink.events.length - 1].type).toBe('end');
    let backwards = -1;
    for (let i = 1; i < sink.events.length && backwards < 0; i++) if (sink.events[i].t < sink.events[i - 1].t) backwards = i;
    expect(backwards, 'index of the first event earlier than its predecessor (seed 3)').toBe(-1);
  });

  it('never moves a high watermark back (except by truncation)', () => {
    const hw = new Map<string, number>();
    const back: string[] = [];
    for (const ev of sink.events) {
      if (ev.type === 'truncate') hw.set(`${ev.broker}/${ev.tp}`, Math.min(hw.get(`${ev.broker}/${ev.tp}`) ?? 0, ev.to));
      if (ev.type !== 'hw') continue;
      const k = `${ev.broker}/${ev.tp}`;
      if (ev.hw < (hw.get(k) ?? 0)) back.push(`hw of ${k} went back to ${ev.hw} at ${ev.t}µs (seed 3)`);
      hw.set(k, ev.hw);
    }
    expect(back).toEqual([]);
  });
});

describe('failure detection timing', { timeout: 30_000 }, () => {
  it('fences a crashed leader broker.session.timeout.ms after its last heartbeat and elects from the ISR', () => {
    const sink = new ArraySink();
    createSimulation(killedLeader, { seed: 1, sinks: [sink] }).run();
    const crash = sink.events.find((e) => e.type === 'broker' && e.state === 'crashed')!;
    const fence = sink.events.find((e) => e.type === 'fence' && e.fenced)!;
    const delayMs = (fence.t - crash.t) / 1000;
    // Heartbeats every 2 s, session 9 s: fenced 7 to 9 s after the crash.
    expect(delayMs).toBeGreaterThanOrEqual(7000);
    expect(delayMs).toBeLessThanOrEqual(9100);
    const election = sink.events.find((e) => e.type === 'election')!;
    expect(election.type === 'election' && election.clean).toBe(true);
  });
});

describe('page cache and disk reads', { timeout: 60_000 }, () => {
  const text = (pageCache: string) => `name: lagging-consumer
duration: 30s
cluster:
  brokers: 1
  disk: { pageCache: ${pageCache}, readThroughput: 10MB/s }
topics: [{ name: t, partitions: 1, replication.factor: 1 }]
producers: [{ name: p1, topic: t, rate: 2000/s, recordSize: 1KB, stop: 20s, config: { acks: 1 } }]
consumers: [{ name: c1, topic: t, from: earliest, start: 20s }]
`;

  it('serves a lagging consumer from the disk when its data left the page cache', () => {
    const lastRead = (pageCache: string): { t: number; consumed: number } => {
      let t = 0;
      const sim = createSimulation(parseScenario(text(pageCache), 'lag.yaml'), { seed: 1, sinks: [{ event: (e) => void (e.type === 'consume' && (t = e.t)) }] });
      sim.run();
      return { t, consumed: sim.summary().records.consumed };
    };
    const cold = lastRead('1MB');
    const warm = lastRead('16GiB');
    expect(cold.consumed, 'seed 1').toBe(warm.consumed);
    // ~40 MB read at 10 MB/s from the device: the consumer catches up about 4 s later.
    expect((cold.t - warm.t) / 1e6, 'seed 1').toBeGreaterThan(3);
    expect((cold.t - warm.t) / 1e6, 'seed 1').toBeLessThan(6);
  });
});
