import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError, CHECK_NAMES, DEFAULT_DISK, DEFAULT_NETWORK } from '../../../sim/scenario/parse.js';
import { LIMITS } from '../../../sim/scenario/names.js';
import { ConfigError, configNames, effectiveTopicConfig, KAFKA_VERSION_DEFAULT, resolveConfig, suggest } from '../../../sim/config/config.js';

const KILLED_LEADER = `
name: killed-leader
description: RF 3, acks=all, min.insync.replicas=2; the leader is killed and later restarted.
seed: 42
duration: 60s
cluster:
  brokers: 3
  kafkaVersion: "4.1"
  config: { min.insync.replicas: 2 }
  network: { latency: 0.5ms, jitter: 0.1ms, bandwidth: 10Gbit/s, links: [{from: b1, to: b2, latency: 5ms, jitter: 1ms}] }
  disk: { writeThroughput: 500MB/s, writeLatency: 0.1ms, readThroughput: 1GB/s, dirtyMax: 1GiB, dirtyExpire: 30s }
  disks: { "2": { writeThroughput: 50MB/s } }
topics:
  - name: orders
    partitions: 1
    replication.factor: 3
    config: { min.insync.replicas: 2 }
    replicas: [[1, 2, 3]]
producers:
  - name: p1
    topic: orders
    rate: 1000/s
    recordSize: 100B
    keys: { zipf: 100, exponent: 1.1 }
    start: 0s
    stop: 50s
    records: 5000
    config: { acks: all, linger.ms: 5 }
consumers:
  - name: c1
    topic: orders
    partitions: [0]
    from: earliest
    start: 0s
    config: { fetch.max.wait.ms: 500 }
faults:
  - { at: 40s, restart: old-leader }
  - { at: 10s, crash: leader of orders-0, mode: power, as: old-leader }
  - { at: 12s, shutdown: broker 2 }
  - { at: 5s, partition: followers of orders-0 }
  - { at: 5s, partition: { between: [leader of orders-0, [broker 2, broker 3]], oneWay: false } }
  - { at: 30s, heal: all }
  - { at: 3s, pause: broker 2 }
  - { at: 8s, resume: b2 }
  - { at: 3s, slowDisk: 1, factor: 20 }
  - { at: 9s, restoreDisk: broker 1 }
expect:
  records: { lostAcked: 0, acked: { min: 1000 }, duplicated: 0 }
  elections: { clean: 1, unclean: 0 }
  isrShrinks: { min: 1 }
  isrExpands: { min: 1 }
  errors: { NOT_ENOUGH_REPLICAS: { min: 1 } }
  violations: [no-acked-record-lost]
  noViolations: all
`;

/** The scenario text with one substring replaced (it must occur). */
function edit(from: string, to: string, text = KILLED_LEADER): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

/** The ScenarioError thrown for a text. */
function errorOf(text: string, source = 'killed-leader.yaml'): ScenarioError {
  try {
    parseScenario(text, source);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('expected a ScenarioError');
}

const MINIMAL = 'name: tiny\nduration: 1s\ncluster: { brokers: 1 }\n';

describe('parseScenario: a good file', () => {
  const s = parseScenario(KILLED_LEADER, 'killed-leader.yaml');

  it('keeps the header and converts the duration to µs', () => {
    expect(s.name).toBe('killed-leader');
    expect(s.description).toMatch(/^RF 3/);
    expect(s.seed).toBe(42);
    expect(s.durationUs).toBe(60_000_000);
  });

  it('merges broker configs with the version defaults', () => {
    expect(s.cluster.brokers).toEqual([1, 2, 3]);
    expect(s.cluster.kafkaVersion).toBe('4.1');
    expect(s.cluster.config).toEqual(resolveConfig('broker', '4.1', { 'min.insync.replicas': 2 }));
    expect(s.cluster.config['min.insync.replicas']).toBe(2);
    expect(s.cluster.config['replica.lag.time.max.ms']).toBe(30000);
    expect(s.cluster.config['unclean.leader.election.enable']).toBe(false);
    expect(s.cluster.config['log.flush.interval.messages']).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('reads packet loss as a probability or a percentage, per network and per link', () => {
    const lossy = parseScenario(KILLED_LEADER.replace('bandwidth: 10Gbit/s,', 'bandwidth: 10Gbit/s, loss: 1%,').replace('jitter: 1ms}', 'jitter: 1ms, loss: 0.05}'), 'x.yaml');
    expect(lossy.cluster.network.loss).toBe(0.01);
    expect(lossy.cluster.network.links.map((l) => l.loss)).toEqual([0.05, 0.05]);
  });

  it('converts network and disk units; links go both ways unless oneWay', () => {
    expect(s.cluster.network).toEqual({
      latency: { baseUs: 500, jitterMeanUs: 100 },
      nicBytesPerSec: 1.25e9,
      links: [
        { from: 'b1', to: 'b2', latency: { baseUs: 5000, jitterMeanUs: 1000 }, loss: 0 },
        { from: 'b2', to: 'b1', latency: { baseUs: 5000, jitterMeanUs: 1000 }, loss: 0 },
      ],
      loss: 0,
    });
    expect(s.cluster.disk).toEqual({ writeBytesPerSec: 500e6, writeLatencyUs: 100, readBytesPerSec: 1e9, pageCacheBytes: 16 * 1024 ** 3, dirtyBytesMax: 1024 ** 3, dirtyExpireUs: 30_000_000 });
    expect(s.cluster.brokerDisks).toEqual({ '2': { writeBytesPerSec: 50e6 } });
  });

  it('keeps only the topic overrides the file set', () => {
    expect(s.topics).toEqual([{ name: 'orders', partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 2 }, replicaAssignment: [[1, 2, 3]] }]);
  });

  it('normalizes producers with defaults filled in', () => {
    const p = s.producers[0]!;
    expect(p).toMatchObject({ name: 'p1', topic: 'orders', ratePerSec: 1000, recordBytes: 100, startUs: 0, stopUs: 50_000_000, maxRecords: 5000 });
    expect(p.keys).toEqual({ kind: 'zipf', count: 100, exponent: 1.1 });
    expect(p.config['acks']).toBe(-1);
    expect(p.config['linger.ms']).toBe(5);
    expect(p.config['enable.idempotence']).toBe(true);
    expect(p.config['batch.size']).toBe(16384);
    expect(p.config['delivery.timeout.ms']).toBe(120000);
    expect(p.config['retries']).toBe(2147483647);
  });

  it('normalizes consumers', () => {
    expect(s.consumers[0]).toMatchObject({ name: 'c1', topic: 'orders', partitions: [0], from: 'earliest', startUs: 0 });
    expect(s.consumers[0]!.config['fetch.max.wait.ms']).toBe(500);
    expect(s.consumers[0]!.config['isolation.level']).toBe('read_uncommitted');
  });

  it('sorts faults by time, stably, and resolves targets and labels', () => {
    expect(s.faults.map((f) => [f.atUs / 1e6, f.verb])).toEqual([
      [3, 'pause'],
      [3, 'slowDisk'],
      [5, 'partition'],
      [5, 'partition'],
      [8, 'resume'],
      [9, 'restoreDisk'],
      [10, 'crash'],
      [12, 'shutdown'],
      [30, 'heal'],
      [40, 'restart'],
    ]);
    expect(s.faults[6]).toEqual({
      atUs: 10_000_000,
      verb: 'crash',
      target: { kind: 'leader', topic: 'orders', partition: 0 },
      mode: 'power',
      as: 'old-leader',
      text: 'crash leader of orders-0 (power loss) as old-leader',
    });
    expect(s.faults[9]).toMatchObject({ verb: 'restart', target: { kind: 'label', label: 'old-leader' } });
    expect(s.faults[1]).toMatchObject({ verb: 'slowDisk', target: { kind: 'broker', id: 1 }, factor: 20 });
    expect(s.faults[2]).toMatchObject({ verb: 'partition', isolate: { kind: 'followers', topic: 'orders', partition: 0 } });
    expect(s.faults[3]).toMatchObject({
      verb: 'partition',
      between: {
        a: [{ kind: 'leader', topic: 'orders', partition: 0 }],
        b: [
          { kind: 'broker', id: 2 },
          { kind: 'broker', id: 3 },
        ],
        oneWay: false,
      },
      text: 'partition between leader of orders-0 and [broker 2, broker 3]',
    });
    expect(s.faults[8]).toEqual({ atUs: 30_000_000, verb: 'heal', text: 'heal all' });
  });

  it('normalizes expectations', () => {
    expect(s.expect).toEqual({
      records: { lostAcked: { eq: 0 }, acked: { min: 1000 }, duplicated: { eq: 0 } },
      elections: { clean: { eq: 1 }, unclean: { eq: 0 } },
      isrShrinks: { min: 1 },
      isrExpands: { min: 1 },
      errors: { NOT_ENOUGH_REPLICAS: { min: 1 } },
      violations: ['no-acked-record-lost'],
      noViolations: 'all',
    });
  });
});

describe('parseScenario: defaults', () => {
  const s = parseScenario(`${MINIMAL}topics: [{ name: t }]\nproducers: [{ name: p, topic: t, rate: 10 }]\nconsumers: [{ name: c, topic: t }]\n`);

  it('fills in seed, description, network, disk, topic sizes, producer and consumer defaults', () => {
    expect(s).toMatchObject({ seed: 1, description: '', faults: [], cluster: { kafkaVersion: KAFKA_VERSION_DEFAULT, network: DEFAULT_NETWORK, disk: DEFAULT_DISK, brokerDisks: {} } });
    expect(s.topics[0]).toEqual({ name: 't', partitions: 1, replicationFactor: 1, config: {} });
    expect(s.producers[0]).toEqual({ name: 'p', topic: 't', ratePerSec: 10, recordBytes: 100, keys: { kind: 'none' }, startUs: 0, config: resolveConfig('producer', '4.1') });
    expect(s.consumers[0]).toEqual({ name: 'c', topic: 't', from: 'earliest', startUs: 0, config: resolveConfig('consumer', '4.1'), processingUs: 0, workers: 0, commit: 'none' });
    expect(s.expect).toBeUndefined();
  });

  it('takes partitions and replication factor from num.partitions and default.replication.factor', () => {
    const t = parseScenario('name: x\nduration: 1s\ncluster: { brokers: [4, 5], config: { num.partitions: 3, default.replication.factor: 2 } }\ntopics: [{ name: t }]\n');
    expect(t.cluster.brokers).toEqual([4, 5]);
    expect(t.topics[0]).toMatchObject({ partitions: 3, replicationFactor: 2 });
  });

  it('turns idempotence off, as Kafka does, when acks≠all and enable.idempotence is not set', () => {
    const t = parseScenario(`${MINIMAL}topics: [{ name: t }]\nproducers: [{ name: p, topic: t, rate: 10, config: { acks: 1, request.timeout.ms: 200s } }]\n`);
    expect(t.producers[0]!.config).toMatchObject({ acks: 1, 'enable.idempotence': false, 'request.timeout.ms': 200_000, 'delivery.timeout.ms': 200_005 });
  });

  it('reads elections as a count, {min, max} or {all, clean, unclean}', () => {
    const e = (v: string) => parseScenario(`${MINIMAL}expect: { elections: ${v} }\n`).expect!.elections;
    expect(e('2')).toEqual({ all: { eq: 2 } });
    expect(e('{ min: 1 }')).toEqual({ all: { min: 1 } });
    expect(e('{ all: { min: 1 }, unclean: 0 }')).toEqual({ all: { min: 1 }, unclean: { eq: 0 } });
  });
});

describe('parseScenario: JSON', () => {
  it('accepts the same scenario written as JSON, with a $schema key', () => {
    const json = JSON.stringify({
      $schema: '../schema/scenario.schema.json',
      name: 'json',
      duration: '2s',
      cluster: { brokers: 3, config: { 'unclean.leader.election.enable': 'true' } },
      topics: [{ name: 'orders', partitions: 2, 'replication.factor': 3 }],
      producers: [{ name: 'p1', topic: 'orders', rate: '100/ms', keys: { uniform: 10 }, config: { acks: '1', 'enable.idempotence': false } }],
      faults: [{ at: 1000, crash: 'follower of orders-1' }],
    });
    const s = parseScenario(json, 'x.json');
    expect(s.durationUs).toBe(2_000_000);
    expect(s.cluster.config['unclean.leader.election.enable']).toBe(true);
    expect(s.producers[0]).toMatchObject({ ratePerSec: 100_000, keys: { kind: 'uniform', count: 10 }, config: { acks: 1, 'enable.idempotence': false } });
    expect(s.faults).toEqual([{ atUs: 1_000_000, verb: 'crash', target: { kind: 'follower', topic: 'orders', partition: 1 }, mode: 'process', text: 'crash follower of orders-1' }]);
  });

  it('reports JSON syntax errors with line and column', () => {
    expect(errorOf('{\n  "name": "x",\n  "duration" "1s"\n}', 'x.json').message).toMatch(/^x\.json:3:\d+: invalid YAML: /);
  });
});

describe('parseScenario: errors are one line with the path', () => {
  const cases: Array<[string, string, string]> = [
    ['unknown structural key, with suggestion', edit('    rate: 1000/s', '    ratee: 1000/s'), 'killed-leader.yaml: producers[0].ratee: unknown key (got "1000/s"); did you mean "rate"?'],
    [
      "an error name from before Kafka's own",
      edit('  errors: { NOT_ENOUGH_REPLICAS: { min: 1 } }', '  errors: { DELIVERY_TIMEOUT: 0 }'),
      'killed-leader.yaml: expect.errors.DELIVERY_TIMEOUT: renamed to "TimeoutException" (got 0); a delivery timeout is what Kafka\'s producer reports: org.apache.kafka.common.errors.TimeoutException ("Expiring N record(s) for orders-0:… ms has passed since batch creation")',
    ],
    [
      'unknown key, no close match',
      edit('seed: 42', 'colour: red'),
      'killed-leader.yaml: colour: unknown key (got "red"); expected one of $schema, name, title, question, answer, compare, description, seed, duration, cluster, topics, producers, consumers, faults, expect, liveness, counterexample',
    ],
    ['unknown producer config, with suggestion', edit('acks: all', 'ackz: all'), 'killed-leader.yaml: producers[0].config.ackz: unknown producer config (got "all"); did you mean "acks"?'],
    [
      'a broker config named at topic level',
      edit('    config: { min.insync.replicas: 2 }\n    replicas', '    config: { log.flush.interval.messages: 1 }\n    replicas'),
      'killed-leader.yaml: topics[0].config.log.flush.interval.messages: unknown topic config (got 1); "log.flush.interval.messages" is the broker config; the topic config is "flush.messages"',
    ],
    [
      'a producer config given to a consumer',
      edit('fetch.max.wait.ms: 500', 'acks: 1'),
      'killed-leader.yaml: consumers[0].config.acks: unknown consumer config (got 1); "acks" is a producer config, not a consumer config',
    ],
    [
      'bad config value',
      edit('linger.ms: 5', 'linger.ms: soon'),
      'killed-leader.yaml: producers[0].config.linger.ms: expected a whole number ≥ 0 (milliseconds, or a duration such as 30s) (got "soon")',
    ],
    [
      'config value out of range',
      edit('config: { min.insync.replicas: 2 }\n  network', 'config: { min.insync.replicas: 0 }\n  network'),
      'killed-leader.yaml: cluster.config.min.insync.replicas: out of range (got 0); expected a whole number ≥ 1',
    ],
    [
      'a value Kafka has but the simulator does not model',
      edit('min.insync.replicas: 2', 'compression.type: gzip'),
      'killed-leader.yaml: cluster.config.compression.type: valid in Kafka but not modelled by the simulator yet (got "gzip"); expected one of producer',
    ],
    [
      'idempotence set explicitly against acks=1',
      edit('acks: all', 'acks: 1, enable.idempotence: true'),
      'killed-leader.yaml: producers[0].config.enable.idempotence: Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence. (got true); set enable.idempotence: false, or leave it unset to let Kafka turn it off',
    ],
    [
      'packet loss of every packet',
      edit('bandwidth: 10Gbit/s,', 'bandwidth: 10Gbit/s, loss: 100%,'),
      'killed-leader.yaml: cluster.network.loss: a link that loses every packet delivers nothing (cut it with a partition fault instead) (got "100%"); expected a probability from 0 to below 1 (0.01) or a percentage below 100% (1%)',
    ],
    [
      'packet loss that is not a probability',
      edit('latency: 5ms, jitter: 1ms}', 'latency: 5ms, jitter: 1ms, loss: -0.1}'),
      'killed-leader.yaml: cluster.network.links[0].loss: not a packet loss (got -0.1); expected a probability from 0 to below 1 (0.01) or a percentage below 100% (1%)',
    ],
    ['bad duration', edit('duration: 60s', 'duration: ten'), 'killed-leader.yaml: duration: expected a duration such as 30s, 250ms or 500us (got "ten")'],
    ['zero duration', edit('duration: 60s', 'duration: 0s'), 'killed-leader.yaml: duration: must be above 0 (got "0s"); expected a duration such as 30s, 250ms or 500us'],
    ['bad rate', edit('rate: 1000/s', 'rate: fast'), 'killed-leader.yaml: producers[0].rate: expected a rate such as 5000/s, 100/ms or 60/m (got "fast")'],
    ['bad size', edit('recordSize: 100B', 'recordSize: 100b'), 'killed-leader.yaml: producers[0].recordSize: expected a size such as 100B, 16KiB or 1MB (got "100b")'],
    [
      'replication factor above the broker count',
      edit('brokers: 3', 'brokers: 2', edit('    replicas: [[1, 2, 3]]\n', '')),
      'killed-leader.yaml: topics[0].replication.factor: Replication factor: 3 larger than available brokers: 2 (INVALID_REPLICATION_FACTOR); expected at most 2',
    ],
    [
      'replica list of the wrong length',
      edit('[[1, 2, 3]]', '[[1, 2]]'),
      'killed-leader.yaml: topics[0].replicas[0]: All partitions should have the same number of replicas: 2 for replication factor 3 (got [1,2])',
    ],
    [
      'unknown broker in a replica list',
      edit('[[1, 2, 3]]', '[[1, 2, 4]]'),
      'killed-leader.yaml: topics[0].replicas[0]: Unknown broker(s) in replica assignment: 4 (got [1,2,4]); expected broker ids among 1, 2, 3',
    ],
    [
      'unknown topic for a producer',
      edit('    topic: orders\n    rate', '    topic: ordres\n    rate'),
      'killed-leader.yaml: producers[0].topic: unknown topic (got "ordres"); did you mean "orders"?',
    ],
    [
      'duplicate names',
      edit('  - name: c1', '  - name: c1\n    topic: orders\n  - name: c1'),
      'killed-leader.yaml: consumers[1].name: duplicate consumer name (got "c1"); expected a name not used before in this list',
    ],
    ['undefined label', edit('restart: old-leader', 'restart: old-leadr'), 'killed-leader.yaml: faults[0].restart: unknown target (got "old-leadr"); did you mean "old-leader"?'],
    [
      'label used before the fault that defines it',
      edit('{ at: 40s, restart: old-leader }', '{ at: 4s, restart: old-leader }'),
      'killed-leader.yaml: faults[0].restart: label "old-leader" is only defined later (faults[1] at 10s) (got "old-leader"); expected a label defined by an earlier fault',
    ],
    [
      'bad target',
      edit('shutdown: broker 2', 'shutdown: the second broker'),
      'killed-leader.yaml: faults[2].shutdown: unknown target (got "the second broker"); expected a target: broker N (or bN, or N), leader of TOPIC-P, followers of TOPIC-P, follower of TOPIC-P, controller, all brokers, rack NAME, producer NAME, consumer NAME, coordinator of group NAME, or a label set by an earlier fault\'s as:',
    ],
    [
      'target without a partition number',
      edit('crash: leader of orders-0', 'crash: leader of orders'),
      'killed-leader.yaml: faults[1].crash: a partition is named TOPIC-N (got "leader of orders"); expected leader of orders-0 (for partition 0)',
    ],
    [
      'target on an unknown partition',
      edit('crash: leader of orders-0', 'crash: leader of orders-1'),
      'killed-leader.yaml: faults[1].crash: orders has no partition 1 (got "leader of orders-1"); expected a partition 0..0',
    ],
    ['target on an unknown broker', edit('shutdown: broker 2', 'shutdown: broker 7'), 'killed-leader.yaml: faults[2].shutdown: no broker 7 (got "broker 7"); expected one of the brokers 1, 2, 3'],
    [
      'target on an unknown topic',
      edit('crash: leader of orders-0', 'crash: leader of order-0'),
      'killed-leader.yaml: faults[1].crash: unknown topic "order" (got "leader of order-0"); did you mean "orders"?',
    ],
    [
      'two verbs in one fault',
      edit('{ at: 12s, shutdown: broker 2 }', '{ at: 12s, shutdown: broker 2, pause: broker 3 }'),
      'killed-leader.yaml: faults[2]: one verb per fault, got shutdown and pause; expected a separate fault for each',
    ],
    ['option of another verb', edit('{ at: 12s, shutdown: broker 2 }', '{ at: 12s, shutdown: broker 2, mode: power }'), 'killed-leader.yaml: faults[2].mode: mode applies to crash only (got "power")'],
    ['enum typo', edit('mode: power', 'mode: powr'), 'killed-leader.yaml: faults[1].mode: expected one of process, power (got "powr"); did you mean "power"?'],
    [
      'unknown check name',
      edit('violations: [no-acked-record-lost]', 'violations: [no-acked-records-lost]'),
      `killed-leader.yaml: expect.violations[0]: expected one of ${CHECK_NAMES.join(', ')} (got "no-acked-records-lost"); did you mean "no-acked-record-lost"?`,
    ],
    ['unknown record counter', edit('lostAcked: 0', 'lostacked: 0'), 'killed-leader.yaml: expect.records.lostacked: unknown key (got 0); did you mean "lostAcked"?'],
    [
      'unknown Kafka error name',
      edit('NOT_ENOUGH_REPLICAS:', 'NOT_ENOUGH_REPLICA:'),
      'killed-leader.yaml: expect.errors.NOT_ENOUGH_REPLICA: unknown key (got {"min":1}); did you mean "NOT_ENOUGH_REPLICAS"?',
    ],
    ['bad expectation', edit('acked: { min: 1000 }', 'acked: { min: many }'), 'killed-leader.yaml: expect.records.acked.min: expected a whole number ≥ 0 (got "many")'],
    [
      'unknown Kafka version',
      edit('kafkaVersion: "4.1"', 'kafkaVersion: 0.10'),
      'killed-leader.yaml: cluster.kafkaVersion: unknown Kafka version (got 0.1); expected one of "0.10", "2.8", "3.9", "4.1"; write the version in quotes: a YAML number loses trailing zeros',
    ],
    ['wrong type', edit('brokers: 3', 'brokers: three'), 'killed-leader.yaml: cluster.brokers: expected a broker count 1..1000, or a list of broker ids such as [1, 2, 3] (got "three")'],
    ['missing required key', edit('duration: 60s\n', ''), 'killed-leader.yaml: duration: missing; expected a duration such as 30s, 250ms or 500us'],
    ['fault after the end of the run', edit('at: 40s', 'at: 70s'), 'killed-leader.yaml: faults[0].at: after the end of the run (60s) (got "70s")'],
    ['YAML syntax error', edit('seed: 42', 'seed: [42'), 'killed-leader.yaml:5:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['duplicate YAML key', edit('seed: 42', 'seed: 42\nseed: 43'), 'killed-leader.yaml:5:1: invalid YAML: Map keys must be unique'],
  ];

  it.each(cases)('%s', (_what, text, message) => {
    const e = errorOf(text);
    expect(e.message).toBe(message);
    expect(e.message).not.toContain('\n');
  });

  it('keeps every problem, first in file order, with positions', () => {
    const text = edit('duration: 60s', 'duration: ten', edit('acks: all', 'ackz: all', edit('rate: 1000/s', 'rate: fast')));
    const e = errorOf(text);
    expect(e.problems.map((p) => p.path)).toEqual(['duration', 'producers[0].rate', 'producers[0].config.ackz']);
    expect(e.problems[0]).toMatchObject({ line: 5, col: 1 });
    expect(e.problems[2]!.line).toBe(28);
  });

  it('reports a misspelt key before the missing key it was meant to be', () => {
    const e = errorOf(edit('    rate: 1000/s', '    ratee: 1000/s'));
    expect(e.problems.map((p) => p.path)).toEqual(['producers[0].ratee', 'producers[0].rate']);
    expect(e.problems[1]!.message).toBe('missing; expected a rate such as 5000/s, 100/ms or 60/m');
  });

  it('checks recordsPerSec and latencyMs ranges: not empty, min not above max, numbers ≥ 0', () => {
    const withExpect = (lines: string) => edit('expect:', `expect:\n${lines}`);
    expect(errorOf(withExpect('  recordsPerSec: {}')).problems.map((p) => [p.path, p.message])).toEqual([['expect.recordsPerSec', 'empty range (got {}); expected {min, max}, either or both']]);
    expect(errorOf(withExpect('  latencyMs: { endToEnd: { p99: { min: 5, max: 3 } } }')).problems.map((p) => p.path)).toEqual(['expect.latencyMs.endToEnd.p99']);
    expect(errorOf(withExpect('  latencyMs: { produce: { p50: { min: -1 } } }')).problems.map((p) => p.path)).toEqual(['expect.latencyMs.produce.p50.min']);
    const s = parseScenario(KILLED_LEADER.replace('expect:', 'expect:\n  recordsPerSec: { min: 10 }\n  latencyMs: { endToEnd: { p999: { max: 2.5 } } }'), 'k.yaml');
    expect(s.expect?.recordsPerSec).toEqual({ min: 10 });
    expect(s.expect?.latencyMs).toEqual({ endToEnd: { p999: { max: 2.5 } } });
  });

  it('uses a default source name', () => {
    expect(errorOf('name: x').message).toBe('killed-leader.yaml: duration: missing; expected a duration such as 30s, 250ms or 500us');
    expect(() => parseScenario('name: x')).toThrow('<scenario>: duration: missing');
  });

  it('rejects an empty file and a file that is not a mapping', () => {
    expect(errorOf('').message).toBe('killed-leader.yaml: empty scenario; expected a mapping with name, duration and cluster');
    expect(errorOf('- 1\n- 2').message).toBe('killed-leader.yaml: expected a mapping (got [1,2])');
  });
});

describe('config catalogue', () => {
  it('converts the loose values YAML gives', () => {
    const p = resolveConfig('producer', '4.1', { acks: '1', 'enable.idempotence': 'FALSE', 'request.timeout.ms': '45s', 'batch.size': '64KiB', 'linger.ms': '10' });
    expect(p).toMatchObject({ acks: 1, 'enable.idempotence': false, 'request.timeout.ms': 45000, 'batch.size': 65536, 'linger.ms': 10 });
    expect(resolveConfig('producer', '4.1', { acks: -1 })['acks']).toBe(-1);
    expect(resolveConfig('producer', '4.1', { acks: 'all' })['acks']).toBe(-1);
    expect(resolveConfig('broker', '4.1', { 'leader.imbalance.check.interval.seconds': '5m' })['leader.imbalance.check.interval.seconds']).toBe(300);
    expect(resolveConfig('broker', '4.1', { 'eligible.leader.replicas.version': false })['eligible.leader.replicas.version']).toBe(0);
    expect(resolveConfig('consumer', '4.1', { 'isolation.level': 'READ_COMMITTED' })['isolation.level']).toBe('read_committed');
  });

  it('throws ConfigError with one-line messages', () => {
    expect(() => resolveConfig('producer', '4.1', { acks: 2 })).toThrow(new ConfigError('acks', { problem: 'out of range', got: 2, expected: 'one of -1, 0, 1 or all' }));
    expect(() => resolveConfig('producer', '4.1', { 'linger.ms': '1.5ms' })).toThrow('linger.ms: not a whole number of milliseconds (got "1.5ms")');
    expect(() => resolveConfig('producer', '4.1', { 'linger.ms': 3e9 })).toThrow('linger.ms: out of range (got 3000000000); expected at most 2147483647 (the largest Kafka int)');
    expect(() => resolveConfig('broker', '9.9', {})).toThrow('kafkaVersion: unknown Kafka version (got "9.9"); expected one of "0.10", "2.8", "3.9", "4.1"');
    expect(() => resolveConfig('producer', '4.1', { 'delivery.timeout.ms': 1000 })).toThrow(
      'delivery.timeout.ms: delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms (got 1000); expected at least 30005',
    );
  });

  it("combines a topic's overrides with the broker synonyms", () => {
    const broker = resolveConfig('broker', '4.1', { 'log.flush.interval.messages': 10, 'min.insync.replicas': 2 });
    expect(effectiveTopicConfig(broker, { 'min.insync.replicas': 3 })).toEqual({
      'min.insync.replicas': 3,
      'unclean.leader.election.enable': false,
      'compression.type': 'producer',
      'flush.messages': 10,
      'flush.ms': Number.MAX_SAFE_INTEGER,
      'max.message.bytes': 1048588,
    });
  });

  it('lists names for did-you-mean and suggests only close ones', () => {
    expect(configNames('consumer')).toContain('fetch.max.wait.ms');
    expect(suggest('replicationFactor', ['partitions', 'replication.factor'])).toBe('replication.factor');
    expect(suggest('lingr.ms', configNames('producer'))).toBe('linger.ms');
    expect(suggest('colour', ['name', 'seed', 'duration'])).toBeUndefined();
  });
});

describe('racks', () => {
  const RACKED = edit('  brokers: 3\n', '  brokers: 3\n  racks: [a, b, b]\n');

  it('gives each broker its broker.rack and resolves "rack NAME" targets to its brokers', () => {
    const s = parseScenario(edit('shutdown: broker 2', 'shutdown: rack b', RACKED));
    expect(s.cluster.racks).toEqual({ '1': 'a', '2': 'b', '3': 'b' });
    const f = s.faults.find((x) => x.verb === 'shutdown')!;
    expect(f).toMatchObject({ target: { kind: 'rack', rack: 'b', brokers: [2, 3] }, text: 'shutdown rack b' });
    const cut = parseScenario(edit('between: [leader of orders-0, [broker 2, broker 3]]', 'between: [rack a, rack b]', RACKED)).faults.find((x) => x.verb === 'partition' && x.between);
    expect(cut?.text).toBe('partition between rack a and rack b');
  });

  it('puts every broker on the rack of cluster.config.broker.rack', () => {
    const s = parseScenario(edit('config: { min.insync.replicas: 2 }\n  network', 'config: { min.insync.replicas: 2, broker.rack: r1 }\n  network'));
    expect(s.cluster.racks).toEqual({ '1': 'r1', '2': 'r1', '3': 'r1' });
    expect(parseScenario(KILLED_LEADER).cluster.racks).toEqual({});
  });

  it.each([
    [
      'a rack list of the wrong length',
      edit('racks: [a, b, b]', 'racks: [a, b]', RACKED),
      'cluster.racks: 2 racks for 3 brokers (got ["a","b"]); expected one rack per broker, in the order of cluster.brokers (1, 2, 3)',
    ],
    ['an unknown rack', edit('shutdown: broker 2', 'shutdown: rack c', RACKED), 'faults[2].shutdown: no rack "c" (got "rack c"); expected one of the racks a, b'],
    [
      'a rack without racks',
      edit('shutdown: broker 2', 'shutdown: rack a'),
      'faults[2].shutdown: no rack "a": no broker has a rack (got "rack a"); give brokers racks with cluster.racks: [a, a, b, b, c, c]',
    ],
    [
      'racks given twice',
      edit('config: { min.insync.replicas: 2 }\n  network', 'config: { min.insync.replicas: 2, broker.rack: r1 }\n  network', RACKED),
      'cluster.racks: racks given twice: cluster.racks and cluster.config.broker.rack; expected one of them',
    ],
  ])('reports %s', (_, text, message) => {
    expect(errorOf(text).message).toContain(message);
  });
});

describe('follower fetching configs (KIP-392)', () => {
  it('reads replica.selector.class by its class name and client.rack as a string', () => {
    const s = parseScenario(
      edit('config: { min.insync.replicas: 2 }\n  network', 'config: { min.insync.replicas: 2, replica.selector.class: org.apache.kafka.common.replica.RackAwareReplicaSelector }\n  network'),
    );
    expect(s.cluster.config['replica.selector.class']).toBe('org.apache.kafka.common.replica.RackAwareReplicaSelector');
    expect(parseScenario(edit('fetch.max.wait.ms: 500', 'fetch.max.wait.ms: 500, client.rack: c')).consumers[0]!.config['client.rack']).toBe('c');
  });

  it('names the selectors it models for any other class', () => {
    const text = edit('config: { min.insync.replicas: 2 }\n  network', 'config: { min.insync.replicas: 2, replica.selector.class: com.example.Nearest }\n  network');
    expect(errorOf(text).message).toContain('expected one of "" (none), org.apache.kafka.common.replica.RackAwareReplicaSelector');
  });
});

describe('input limits (LIMITS): a one-line error, never a hang or an out-of-memory', () => {
  const topic = (partitions: number | string) => `${MINIMAL}topics: [{ name: t, partitions: ${partitions} }]\n`;
  it.each([
    ['a million partitions', topic(1_000_000), "topics[0].partitions: expected at most 200,000 partitions (kafkasim's limit, Kafka's guidance for a KRaft cluster) (got 1000000)"],
    ['2^32 partitions', topic(4_294_967_296), "topics[0].partitions: expected at most 200,000 partitions (kafkasim's limit, Kafka's guidance for a KRaft cluster) (got 4294967296)"],
    [
      'too many partitions over all topics',
      `${MINIMAL}topics: [{ name: t, partitions: 150000 }, { name: u, partitions: 60000 }]\n`,
      "topics: 210,000 partitions in all topics; expected at most 200,000 in the cluster (kafkasim's limit, Kafka's guidance for a KRaft cluster)",
    ],
    ['a broker id beyond a Java int', 'name: x\nduration: 1s\ncluster: { brokers: [1, 99999999999] }\n', 'cluster.brokers[1]: expected a number ≤ 2147483647 (got 99999999999)'],
    ['a name of 300 characters', `name: ${'a'.repeat(300)}\nduration: 1s\ncluster: { brokers: 1 }\n`, `name: expected a name of at most 249 characters (got "${'a'.repeat(58)}…)`],
  ])('%s', (_what, text, message) => {
    const e = errorOf(text, 'x.yaml');
    expect(e.message.replace(/^x\.yaml(:\d+:\d+)?: /, '')).toBe(message);
  });

  it('caps lists: producers, consumers, topics and faults', () => {
    const producers = Array.from({ length: LIMITS.producers + 1 }, (_, i) => `  - { name: p${i}, topic: t, rate: 1/s }`).join('\n');
    const e = errorOf(`${topic(1)}producers:\n${producers}\n`, 'x.yaml');
    expect(e.message).toContain("producers: expected at most 1,000 producers (kafkasim's limit)");
  });

  it('takes a key space of any size (keys are drawn lazily)', () => {
    const s = parseScenario(`${topic(3)}producers: [{ name: p, topic: t, rate: 10/s, keys: { uniform: 4503599627370496 } }]\n`);
    expect(s.producers[0]!.keys).toEqual({ kind: 'uniform', count: 4503599627370496 });
  });
});
