/**
 * Behaviour profiles (kafkaVersion) and `cluster.behaviour` overrides: defaults per version, validation
 * with did-you-mean, and the checks that tie configs to the behaviour they need.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../../sim/scenario/parse.js';
import { kafkaVersions, resolveBehaviour, resolveConfig } from '../../../sim/config/config.js';

const base = (cluster: string) => `
name: t
duration: 10s
cluster:
  brokers: 3
${cluster}
topics: [{ name: orders, partitions: 1, replication.factor: 3 }]
producers: [{ name: p1, topic: orders, rate: 10/s }]
`;

function errorOf(text: string): ScenarioError {
  try {
    parseScenario(text, 's.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('profiles', () => {
  it('lists the four generations', () => {
    expect(kafkaVersions()).toEqual(['0.10', '2.8', '3.9', '4.1']);
  });

  it("sets each generation's defaults", () => {
    const b = (v: string) => resolveConfig('broker', v, {});
    const p = (v: string) => resolveConfig('producer', v, {});
    expect(b('0.10')).toMatchObject({ 'unclean.leader.election.enable': true, 'replica.lag.time.max.ms': 10000, 'zookeeper.session.timeout.ms': 6000, 'eligible.leader.replicas.version': 0 });
    expect(p('0.10')).toMatchObject({ acks: 1, 'enable.idempotence': false, 'linger.ms': 0, retries: 0 });
    expect(b('2.8')).toMatchObject({ 'unclean.leader.election.enable': false, 'replica.lag.time.max.ms': 30000, 'zookeeper.session.timeout.ms': 18000 });
    expect(p('2.8')).toMatchObject({ acks: 1, 'enable.idempotence': false, 'linger.ms': 0 });
    expect(p('3.9')).toMatchObject({ acks: -1, 'enable.idempotence': true, 'linger.ms': 0 });
    expect(b('3.9')['eligible.leader.replicas.version']).toBe(0);
    expect(p('4.1')).toMatchObject({ acks: -1, 'enable.idempotence': true, 'linger.ms': 5 });
    expect(b('4.1')['eligible.leader.replicas.version']).toBe(1);
  });

  it("sets each generation's behaviour", () => {
    expect(resolveBehaviour('0.10')).toEqual({
      truncation: 'highWatermark',
      controller: 'zookeeper',
      hwFrozenUnderMinIsr: false,
      eligibleLeaderReplicas: false,
      consumerTruncationDetection: false,
      rackAwareAssignment: false,
      messageFormat: 'v1',
    });
    expect(resolveBehaviour('2.8')).toEqual({
      truncation: 'divergingEpoch',
      controller: 'zookeeper',
      hwFrozenUnderMinIsr: false,
      eligibleLeaderReplicas: false,
      consumerTruncationDetection: true,
      rackAwareAssignment: false,
      messageFormat: 'v2',
    });
    expect(resolveBehaviour('3.9')).toEqual({
      truncation: 'divergingEpoch',
      controller: 'kraft',
      hwFrozenUnderMinIsr: true,
      eligibleLeaderReplicas: false,
      consumerTruncationDetection: true,
      rackAwareAssignment: true,
      messageFormat: 'v2',
    });
    expect(resolveBehaviour('4.1')).toEqual({
      truncation: 'divergingEpoch',
      controller: 'kraft',
      hwFrozenUnderMinIsr: true,
      eligibleLeaderReplicas: true,
      consumerTruncationDetection: true,
      rackAwareAssignment: true,
      messageFormat: 'v2',
    });
  });

  it('a scenario without a version behaves as 4.1; behaviour keys override one by one', () => {
    expect(parseScenario(base(''), 's.yaml').cluster.behaviour).toEqual(resolveBehaviour('4.1'));
    const s = parseScenario(base('  kafkaVersion: "0.10"\n  behaviour: { truncation: epochNoEpochInResponse }'), 's.yaml');
    expect(s.cluster.behaviour).toEqual({ ...resolveBehaviour('0.10'), truncation: 'epochNoEpochInResponse' });
    expect(s.producers[0]!.config.acks).toBe(1);
  });
});

describe('cluster.behaviour validation', () => {
  it.each([
    ['unknown key with a suggestion', '  behaviour: { truncaton: highWatermark }', 's.yaml: cluster.behaviour.truncaton: unknown key (got "highWatermark"); did you mean "truncation"?'],
    [
      'bad value with a suggestion',
      '  behaviour: { truncation: highwatermark }',
      's.yaml: cluster.behaviour.truncation: expected one of highWatermark, epochNoEpochInResponse, divergingEpoch (got "highwatermark"); did you mean "highWatermark"?',
    ],
    ['bad controller', '  behaviour: { controller: zk }', 's.yaml: cluster.behaviour.controller: expected one of zookeeper, kraft (got "zk")'],
    [
      'a ZooKeeper config under KRaft',
      '  config: { zookeeper.session.timeout.ms: 6000 }',
      "s.yaml: cluster.config.zookeeper.session.timeout.ms: only applies with behaviour.controller: zookeeper (this cluster's controller is kraft) (got 6000)",
    ],
    [
      'a KRaft config under ZooKeeper',
      '  kafkaVersion: "2.8"\n  config: { broker.session.timeout.ms: 9000 }',
      "s.yaml: cluster.config.broker.session.timeout.ms: only applies with behaviour.controller: kraft (this cluster's controller is zookeeper) (got 9000)",
    ],
    [
      'ELR on a version without it',
      '  kafkaVersion: "3.9"\n  config: { eligible.leader.replicas.version: 1 }',
      's.yaml: cluster.config.eligible.leader.replicas.version: this Kafka version has no Eligible Leader Replicas (KIP-966 arrived in 4.0) (got 1); use kafkaVersion "4.1", or set cluster.behaviour.eligibleLeaderReplicas: true',
    ],
  ])('%s', (_what, cluster, message) => {
    expect(errorOf(base(cluster)).message).toBe(message);
  });

  it('accepts ELR switched on for an older version when the behaviour says it has it', () => {
    const s = parseScenario(base('  kafkaVersion: "3.9"\n  behaviour: { eligibleLeaderReplicas: true }\n  config: { eligible.leader.replicas.version: 1 }'), 's.yaml');
    expect(s.cluster.config['eligible.leader.replicas.version']).toBe(1);
  });
});
