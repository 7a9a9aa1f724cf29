/**
 * The periodic preferred-leader task (auto.leader.rebalance.enable): KRaft moves every partition back to
 * its preferred replica at each check; ZooKeeper mode only a broker's whose share of preferred partitions
 * led elsewhere is over leader.imbalance.per.broker.percentage (KafkaController.checkAndTriggerAutoLeaderRebalance).
 */
import { describe, expect, it } from 'vitest';
import { createSimulation } from '../../../sim/run/simulation.js';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { ArraySink, type TraceEvent } from '../../../sim/trace/index.js';

/** Broker 1 bounces; the check runs at 40 s (ZooKeeper mode fences it only when its session expires, at 18 s). Returns the preferred elections at the check. */
function preferredElections(kafkaVersion: string, percentage: number): Extract<TraceEvent, { type: 'election' }>[] {
  const sink = new ArraySink();
  const yaml = `
name: imbalance
duration: 45s
cluster:
  brokers: 3
  kafkaVersion: "${kafkaVersion}"
  config: { leader.imbalance.check.interval.seconds: 40, leader.imbalance.per.broker.percentage: ${percentage}, unclean.leader.election.enable: false }
topics: [{ name: t, partitions: 6, replication.factor: 3 }]
producers: [{ name: p1, topic: t, rate: 100/s, config: { acks: all } }]
faults:
  - { at: 2s, crash: broker 1 }
  - { at: 5s, restart: broker 1 }
`;
  createSimulation(parseScenario(yaml, 'imbalance.yaml'), { sinks: [sink] }).run();
  return sink.events.filter((e): e is Extract<TraceEvent, { type: 'election' }> => e.type === 'election' && e.reason === 'preferred');
}

describe('the periodic preferred-leader task', () => {
  it('KRaft: moves every partition back at the check, whatever the percentage', () => {
    const moved = preferredElections('4.1', 100);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((e) => e.leader === 1 && e.t >= 40_000_000)).toBe(true);
  });

  it('ZooKeeper mode: moves them back when the broker is over the percentage, not when it is at or under it', () => {
    const moved = preferredElections('2.8', 10);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((e) => e.leader === 1 && e.t >= 40_000_000)).toBe(true);
    // All of broker 1's preferred partitions are led elsewhere: a share of 100%, which is not over 100%.
    expect(preferredElections('2.8', 100)).toEqual([]);
  });
});
