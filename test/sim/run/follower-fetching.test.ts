/**
 * scenarios/follower-fetching.yaml read from its trace (KIP-392): a consumer with client.rack c reads
 * from the in-sync replica in rack c once a leader names it, falls back to the leaders when that broker
 * dies, and returns to it when it is back in the ISR. Without replica.selector.class it reads leaders only.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { ArraySink, type MsgEvent } from '../../../sim/trace/index.js';
import type { Scenario } from '../../../sim/scenario/types.js';

const scenario = parseScenario(readFileSync('scenarios/follower-fetching.yaml', 'utf8'), 'follower-fetching.yaml');

/** The consumer's fetches: time (s) and the broker asked. */
function consumerFetches(s: Scenario): Array<{ t: number; to: string }> {
  const sink = new ArraySink();
  createSimulation(s, { sinks: [sink] }).run();
  return sink.events.filter((e): e is MsgEvent => e.type === 'msg' && e.kind === 'Fetch' && e.from === 'c:c1').map((e) => ({ t: e.t / 1e6, to: e.to }));
}

const share = (fs: Array<{ t: number; to: string }>, from: number, to: number, broker: string): number => {
  const window = fs.filter((f) => f.t >= from && f.t < to);
  return window.filter((f) => f.to === broker).length / window.length;
};

describe('follower fetching (KIP-392, RackAwareReplicaSelector)', () => {
  const fetches = consumerFetches(scenario);

  it('reads from the replica in its rack once the leaders name it, and goes back to it after its restart', () => {
    // Broker 3 leads one partition; the other two leaders answer the first fetch with broker 3.
    expect(fetches.filter((f) => f.t < 1 && f.to !== 'b3').length).toBe(2);
    expect(share(fetches, 1, 10, 'b3')).toBe(1);
    expect(share(fetches, 22, 30, 'b3')).toBe(1);
  });

  it('reads from the leaders while broker 3 is down (only its own partition, until the controller moves it, retries broker 3)', () => {
    expect(share(fetches, 10.01, 20, 'b3')).toBeLessThan(0.05);
    expect(share(fetches, 10.01, 20, 'b1') + share(fetches, 10.01, 20, 'b2')).toBeGreaterThan(0.95);
  });

  it('reads only from leaders without a replica selector', () => {
    const cluster = { ...scenario.cluster, config: { ...scenario.cluster.config, 'replica.selector.class': '' } };
    const leadersOnly = consumerFetches({ ...scenario, cluster });
    expect(share(leadersOnly, 0, 10, 'b3')).toBeLessThan(0.5);
    expect(new Set(leadersOnly.filter((f) => f.t < 10).map((f) => f.to))).toEqual(new Set(['b1', 'b2', 'b3']));
  });
});
