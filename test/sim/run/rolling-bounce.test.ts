/**
 * scenarios/rolling-bounce.yaml read from its trace: a broker bounced with a controlled shutdown is
 * fenced by the controller as it is let go (SHUTDOWN_NOW), so its next incarnation registers at once and
 * is back in every ISR within a second of starting; a restart during the shutdown waits for the stop; a
 * restart of a running broker is rejected, not dropped.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { ArraySink, type TraceEvent } from '../../../sim/trace/index.js';

const scenario = parseScenario(readFileSync('scenarios/rolling-bounce.yaml', 'utf8'), 'rolling-bounce.yaml');

type Ev<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

describe('a rolling bounce (controlled shutdown, then restart)', () => {
  const sink = new ArraySink();
  createSimulation(scenario, { sinks: [sink] }).run();
  const events = sink.events;
  const of = <T extends TraceEvent['type']>(type: T) => events.filter((e): e is Ev<T> => e.type === type);

  it('fences each broker when its controlled shutdown is done, with its own reason, and never by session timeout', () => {
    const fences = of('fence').filter((e) => e.fenced);
    expect(fences.map((e) => [e.broker, e.reason])).toEqual([
      [1, 'shutdownNow'],
      [2, 'shutdownNow'],
      [3, 'shutdownNow'],
    ]);
    for (const f of fences) {
      const stopped = of('broker').find((e) => e.broker === f.broker && e.state === 'stopped' && e.t >= f.t)!;
      expect(stopped.t - f.t).toBeLessThan(10_000);
    }
  });

  it('accepts each re-registration at once: rejoins every ISR within a second of the start', () => {
    for (const b of [1, 2, 3]) {
      const start = of('broker').find((e) => e.broker === b && e.state === 'running' && e.t > 0)!;
      const regs = of('msg').filter((e) => e.from === `b${b}` && e.kind === 'BrokerRegistration' && e.t >= start.t);
      expect(regs.length).toBe(1);
      const expands = of('isr').filter((e) => e.reason === 'expand' && e.t > start.t && e.isr.includes(b) && !e.prev.includes(b));
      expect(expands.length).toBe(3);
      for (const e of expands) expect(e.t - start.t).toBeLessThan(1_000_000);
    }
  });

  it('holds a restart during the shutdown until the stop, then starts the broker at once', () => {
    const faults = of('fault');
    const pending = faults.find((f) => f.verb === 'restart' && f.targets[0] === 'b1')!;
    expect(pending.pending).toMatch(/still shutting down/);
    const stopped = of('broker').find((e) => e.broker === 1 && e.state === 'stopped')!;
    const started = of('broker').find((e) => e.broker === 1 && e.state === 'running' && e.t > 0)!;
    expect(stopped.t).toBeGreaterThan(pending.t);
    expect(started.t).toBe(stopped.t);
  });

  it('rejects a restart of a running broker with a reason', () => {
    const last = of('fault').at(-1)!;
    expect(last.verb).toBe('restart');
    expect(last.rejected).toMatch(/b3 is running/);
  });
});
