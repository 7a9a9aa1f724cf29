import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { ArraySink, EVENT_FIELDS, hashEvents, toNdjson, type TraceEvent } from '../../../sim/trace/index.js';

const killedLeader = parseScenario(readFileSync('scenarios/killed-leader.yaml', 'utf8'), 'killed-leader.yaml');

describe('the trace', () => {
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
    const back = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceEvent);
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

describe('failure detection timing', () => {
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

describe('page cache and disk reads', () => {
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
