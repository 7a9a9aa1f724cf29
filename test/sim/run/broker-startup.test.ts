/**
 * A restarted broker opens its listeners only at the end of its startup, as Kafka's BrokerServer.startup
 * does (`socketServer.enableRequestProcessing` after "the broker to be unfenced"): until the controller
 * unfences it, clients and other brokers that connect to it are refused and go elsewhere, instead of
 * waiting on a broker that cannot answer yet. Read from the trace of scenarios/power-loss.yaml, where all
 * three brokers lose power at 20 s and come back at 25 s.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { simulate } from '../../../sim/run/simulation.js';
import { ArraySink, type TraceEvent } from '../../../sim/trace/index.js';

type Ev<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

const FILE = 'scenarios/power-loss.yaml';
const sink = new ArraySink();
const summary = simulate(parseScenario(readFileSync(FILE, 'utf8'), FILE), { sinks: [sink] });
const of = <T extends TraceEvent['type']>(type: T) => sink.events.filter((e): e is Ev<T> => e.type === type);
const NOT_YET = / is not accepting connections yet$/;

/** Per broker: when its last restart began and when the controller then unfenced it, µs. */
function startups(): Map<string, { restart: number; unfenced: number }> {
  const out = new Map<string, { restart: number; unfenced: number }>();
  for (const e of of('broker')) if (e.state === 'running' && e.t > 0) out.set(`b${e.broker}`, { restart: e.t, unfenced: Infinity });
  for (const e of of('fence')) {
    const s = out.get(`b${e.broker}`);
    if (s !== undefined && !e.fenced && e.t > s.restart && s.unfenced === Infinity) s.unfenced = e.t;
  }
  return out;
}

describe(`${FILE}: a restarted broker accepts connections once unfenced (seed ${summary.seed})`, () => {
  const refused = of('msg').filter((m) => m.dropped !== undefined && NOT_YET.test(m.dropped));
  const s = startups();

  it('refuses the clients and brokers that connect during its startup, and only then', () => {
    expect(s.size).toBe(3);
    // The producer's metadata and produce requests and the brokers' fetches to each other are refused.
    expect(new Set(refused.map((m) => m.kind))).toEqual(new Set(['Metadata', 'Produce', 'Fetch']));
    for (const m of refused) {
      const startup = s.get(m.to)!;
      expect(m.t).toBeGreaterThanOrEqual(startup.restart);
      expect(m.t).toBeLessThan(startup.unfenced);
    }
  });

  it('reads no request from another node between its restart and its unfencing', () => {
    const sent = new Map(of('msg').map((m) => [m.id, m]));
    const dropped = new Set(of('drop').map((d) => d.id));
    for (const [node, { restart, unfenced }] of s) {
      const readInStartup = [...sent.values()].filter(
        (m) => m.to === node && m.dropped === undefined && !dropped.has(m.id) && m.recvUs >= restart && m.recvUs < unfenced && !m.kind.endsWith('Response') && m.from !== 'ctl',
      );
      expect(readInStartup, node).toEqual([]);
    }
  });

  it('then serves them: produce requests are read and acknowledged once the brokers are unfenced', () => {
    const lastUnfenced = Math.max(...[...s.values()].map((x) => x.unfenced));
    expect(lastUnfenced).toBeLessThan(Infinity);
    const dropped = new Set(of('drop').map((d) => d.id));
    const read = of('msg').filter((m) => m.kind === 'Produce' && m.t > lastUnfenced && m.dropped === undefined && !dropped.has(m.id));
    expect(read.length).toBeGreaterThan(0);
    expect(of('ack').some((a) => a.t > lastUnfenced && a.error === 'NONE')).toBe(true);
  });
});
