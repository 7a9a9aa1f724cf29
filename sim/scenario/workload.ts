/** Normalization of the workload: topics (with replica assignments), producers and consumers. */
import { assignmentStrategies, ConfigError, KAFKA_VERSION_DEFAULT, serverAssignors, suggest } from '../config/config.js';
import { formatDurationUs, parseBytes, parseDurationUs, parseRatePerSec, RATE_EXPECTED } from '../config/units.js';
import type { ConfigMap, ConsumerSpec, KeySpec, ProducerSpec, TopicSpec } from './types.js';
import { DEFAULT_RECORD_BYTES, LIMITS } from './names.js';
import type { RawTopic, RawProducer, RawConsumer } from './schema.js';
import type { Path, Problems } from './problems.js';
import type { Env } from './targets.js';
import { normConfig, normList, positive } from './fields.js';

const TOPIC_NAME_ILLEGAL = "Topic name is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";

export function normTopics(raws: RawTopic[], env: Env, brokerConfig: ConfigMap, p: Problems): TopicSpec[] {
  const names = new Set<string>();
  const topics = normList(raws, 'topics', names, (r, i) => normTopic(r, i, env, brokerConfig, p), p).map((t) => {
    env.topics.set(t.name, { partitions: t.partitions, rf: t.replicationFactor });
    return t;
  });
  const total = topics.reduce((n, t) => n + t.partitions, 0);
  if (total > LIMITS.partitions) {
    p.report(['topics'], {
      problem: `${total.toLocaleString('en-US')} partitions in all topics`,
      expected: `at most ${LIMITS.partitions.toLocaleString('en-US')} in the cluster (kafkasim's limit, Kafka's guidance for a KRaft cluster)`,
    });
  }
  return topics;
}

function normTopic(raw: RawTopic, i: number, env: Env, brokerConfig: ConfigMap, p: Problems): TopicSpec | undefined {
  const path: Path = ['topics', i];
  checkTopicName([...path, 'name'], raw.name, p);
  const config = normConfig([...path, 'config'], 'topic', KAFKA_VERSION_DEFAULT, raw.config, p);
  if (raw.replicas) return topicWithAssignment(raw, path, env, config, p);
  const partitions = raw.partitions ?? (brokerConfig['num.partitions'] as number);
  const rf = raw['replication.factor'] ?? (brokerConfig['default.replication.factor'] as number);
  if (rf > env.brokers.length) {
    const where = raw['replication.factor'] === undefined ? path : [...path, 'replication.factor'];
    const from = raw['replication.factor'] === undefined ? ' (from default.replication.factor)' : '';
    p.report(where, { problem: `Replication factor: ${rf} larger than available brokers: ${env.brokers.length} (INVALID_REPLICATION_FACTOR)${from}`, expected: `at most ${env.brokers.length}` });
  }
  return { name: raw.name, partitions, replicationFactor: rf, config };
}

function checkTopicName(path: Path, name: string, p: Problems): void {
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) p.report(path, { problem: TOPIC_NAME_ILLEGAL, got: name });
  else if (name.length > 249) p.report(path, { problem: "Topic name is illegal, it can't be longer than 249 characters", got: name });
  else if (name === '.' || name === '..') p.report(path, { problem: 'Topic name cannot be "." or ".."', got: name });
}

/** `replicas` given: partitions and RF follow from it (as kafka-topics --replica-assignment), and must agree. */
function topicWithAssignment(raw: RawTopic, path: Path, env: Env, config: ConfigMap, p: Problems): TopicSpec {
  const assignment = raw.replicas!;
  const partitions = raw.partitions ?? assignment.length;
  const rf = raw['replication.factor'] ?? assignment[0]!.length;
  if (partitions !== assignment.length) {
    p.report([...path, 'replicas'], { problem: `${assignment.length} replica lists for ${partitions} partitions`, expected: 'one list per partition' });
  }
  assignment.forEach((list, j) => {
    const lp = [...path, 'replicas', j];
    if (list.length !== rf) p.report(lp, { problem: `All partitions should have the same number of replicas: ${list.length} for replication factor ${rf}`, got: list });
    const dup = list.filter((b, k) => list.indexOf(b) !== k);
    if (dup.length > 0) p.report(lp, { problem: `Duplicate brokers not allowed in replica assignment: ${dup.join(', ')} for partition id ${j}`, got: list });
    const unknown = list.filter((b) => !env.brokers.includes(b));
    if (unknown.length > 0) p.report(lp, { problem: `Unknown broker(s) in replica assignment: ${unknown.join(', ')}`, got: list, expected: `broker ids among ${env.brokers.join(', ')}` });
  });
  return { name: raw.name, partitions, replicationFactor: rf, config, replicaAssignment: assignment.map((l) => [...l]) };
}

function checkTopic(path: Path, topic: string, env: Env, p: Problems): { partitions: number; rf: number } | undefined {
  const t = env.topics.get(topic);
  if (t) return t;
  const close = suggest(topic, [...env.topics.keys()]);
  return p.report(path, {
    problem: 'unknown topic',
    got: topic,
    ...(close ? { hint: `did you mean "${close}"?` } : { expected: `one of the topics: ${[...env.topics.keys()].join(', ') || '(none defined)'}` }),
  });
}

function normTimes(path: Path, start: unknown, stop: unknown, durationUs: number, p: Problems): { startUs: number; stopUs?: number } {
  const startUs = p.unit([...path, 'start'], start, parseDurationUs) ?? 0;
  const stopUs = p.unit([...path, 'stop'], stop, parseDurationUs);
  if (durationUs > 0 && startUs > durationUs) p.report([...path, 'start'], { problem: `after the end of the run (${formatDurationUs(durationUs)})`, got: start });
  if (stopUs !== undefined && stopUs < startUs) p.report([...path, 'stop'], { problem: 'before start', got: stop, expected: `at least ${formatDurationUs(startUs)}` });
  return stopUs === undefined ? { startUs } : { startUs, stopUs };
}

function normKeys(path: Path, raw: RawProducer['keys'], p: Problems): KeySpec {
  if (raw === undefined || raw === 'none') return { kind: 'none' };
  const given = (['uniform', 'zipf', 'fixed'] as const).filter((k) => raw[k] !== undefined);
  if (given.length !== 1 || (raw.exponent !== undefined && given[0] !== 'zipf')) {
    p.report(path, { problem: 'one kind of keys per producer', got: raw, expected: 'none, {uniform: N}, {zipf: N, exponent: S} or {fixed: "key"}' });
    return { kind: 'none' };
  }
  if (raw.uniform !== undefined) return { kind: 'uniform', count: raw.uniform };
  if (raw.zipf !== undefined) return { kind: 'zipf', count: raw.zipf, exponent: raw.exponent ?? 1 };
  return { kind: 'fixed', key: raw.fixed! };
}

export function normProducer(raw: RawProducer, i: number, version: string, env: Env, durationUs: number, p: Problems): ProducerSpec {
  const path: Path = ['producers', i];
  checkTopic([...path, 'topic'], raw.topic, env, p);
  const ratePerSec = positive([...path, 'rate'], p.unit([...path, 'rate'], raw.rate, parseRatePerSec), raw.rate, RATE_EXPECTED, p) ?? 0;
  const spec: ProducerSpec = {
    name: raw.name,
    topic: raw.topic,
    ratePerSec,
    recordBytes: p.unit([...path, 'recordSize'], raw.recordSize, parseBytes) ?? DEFAULT_RECORD_BYTES,
    keys: normKeys([...path, 'keys'], raw.keys, p),
    ...normTimes(path, raw.start, raw.stop, durationUs, p),
    config: normConfig([...path, 'config'], 'producer', version, raw.config, p),
  };
  if (raw.records !== undefined) spec.maxRecords = raw.records;
  if (raw.compressionRatio !== undefined) spec.compressionRatio = raw.compressionRatio;
  return spec;
}

export function normConsumer(raw: RawConsumer, i: number, version: string, env: Env, durationUs: number, p: Problems): ConsumerSpec[] {
  const path: Path = ['consumers', i];
  const topic = checkTopic([...path, 'topic'], raw.topic, env, p);
  (raw.partitions ?? []).forEach((n, j) => {
    if (topic && n >= topic.partitions) p.report([...path, 'partitions', j], { problem: `${raw.topic} has no partition ${n}`, got: n, expected: `a partition 0..${topic.partitions - 1}` });
    if (raw.partitions!.indexOf(n) !== j) p.report([...path, 'partitions', j], { problem: 'listed twice', got: n });
  });
  const config = normConfig([...path, 'config'], 'consumer', version, raw.config, p);
  const group = (config['group.id'] as string) || undefined;
  checkGroupFeatures([...path, 'config'], config, version, p);
  checkGroupFields(path, raw, group, p);
  const spec: ConsumerSpec = {
    name: raw.name,
    topic: raw.topic,
    from: raw.from ?? 'earliest',
    startUs: normTimes(path, raw.start, undefined, durationUs, p).startUs,
    config,
    processingUs: p.unit([...path, 'processing'], raw.processing, parseDurationUs) ?? 0,
    workers: raw.workers ?? 0,
    commit: raw.commit ?? 'none',
  };
  if (spec.workers > 0 && spec.processingUs === 0) p.report([...path, 'workers'], { problem: 'workers need processing time per record', got: raw.workers, expected: 'a processing: duration too' });
  if (spec.workers > 0 && spec.commit !== 'none')
    p.report([...path, 'commit'], { problem: 'with workers the poller does not know when a record is done', got: raw.commit, expected: 'commit: none (auto-commit or none)' });
  if (raw.partitions) spec.partitions = [...raw.partitions];
  if (group !== undefined) {
    spec.group = group;
    env.groups.add(group);
    // A group whose members use both protocols (KIP-848's online migration) is not modelled.
    const protocol = config['group.protocol'] as string;
    const other = env.groupProtocols.get(group);
    if (other !== undefined && other !== protocol)
      p.report([...path, 'config', 'group.protocol'], {
        problem: `group ${group} has members with group.protocol ${other}; mixed groups (online migration) are not modelled`,
        got: protocol,
        expected: other,
      });
    env.groupProtocols.set(group, protocol);
  }
  const n = raw.instances ?? 1;
  if (n === 1) return [spec];
  return Array.from({ length: n }, (_, k) => instance(spec, k + 1, env));
}

/** Group features and the Kafka version that brought them (the client's). */
const SINCE: Readonly<Record<string, [string, string]>> = {
  sticky: ['0.11', 'the sticky assignor (KIP-54)'],
  'cooperative-sticky': ['2.4', 'cooperative rebalancing (KIP-429)'],
  'group.instance.id': ['2.3', 'static membership (KIP-345)'],
  // Early access in 3.7 and preview in 3.8/3.9, behind broker settings (group.coordinator.rebalance.protocols); generally available in 4.0.
  consumer: ['4.0', 'the consumer group protocol (KIP-848; early access in 3.7, preview in 3.8 and 3.9)'],
};

/** "0.10" < "0.11" < "2.4": major, then minor, as numbers. */
function olderThan(version: string, than: string): boolean {
  const [a, b] = version.split('.').map(Number);
  const [c, d] = than.split('.').map(Number);
  return a! < c! || (a === c && b! < d!);
}

/** partition.assignment.strategy names Kafka's assignors, and the version has what the group configs ask for. */
function checkGroupFeatures(path: Path, config: ConfigMap, version: string, p: Problems): void {
  let assignors: string[] = [];
  try {
    assignors = assignmentStrategies(config['partition.assignment.strategy'] as string);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    p.report([...path, 'partition.assignment.strategy'], e.parts);
  }
  const used = [
    ...assignors.map((a) => [a, 'partition.assignment.strategy'] as const),
    ...((config['group.instance.id'] as string) !== '' ? [['group.instance.id', 'group.instance.id'] as const] : []),
    ...(config['group.protocol'] === 'consumer' ? [['consumer', 'group.protocol'] as const] : []),
  ];
  try {
    serverAssignors(config['group.remote.assignor'] as string, 'group.remote.assignor');
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    p.report([...path, 'group.remote.assignor'], e.parts);
  }
  for (const [feature, key] of used) {
    const since = SINCE[feature];
    if (since !== undefined && olderThan(version, since[0])) {
      p.report([...path, key], {
        problem: `${since[1]} arrived in Kafka ${since[0]}; kafkaVersion is ${version}`,
        got: config[key],
        expected: `kafkaVersion ${since[0]} or later, or another setting`,
      });
    }
  }
}

/** Instance k of a consumer with `instances`: NAME-k, and a static member's group.instance.id gets the same suffix. */
function instance(spec: ConsumerSpec, k: number, env: Env): ConsumerSpec {
  const name = `${spec.name}-${k}`;
  env.consumers.add(name);
  const id = spec.config['group.instance.id'] as string;
  return { ...spec, name, config: id === '' ? spec.config : { ...spec.config, 'group.instance.id': `${id}-${k}` } };
}

/** A group member takes its partitions and start position from the group; commits need a group. */
function checkGroupFields(path: Path, raw: RawConsumer, group: string | undefined, p: Problems): void {
  if (group !== undefined) {
    if (raw.partitions)
      p.report([...path, 'partitions'], { problem: 'a group member is assigned its partitions by the group', got: raw.partitions, expected: 'no partitions with group.id (or no group.id)' });
    if (raw.from !== undefined) {
      p.report([...path, 'from'], {
        problem: "a group member starts at its group's committed offset, else at auto.offset.reset",
        got: raw.from,
        expected: 'auto.offset.reset in config instead of from',
      });
    }
    return;
  }
  if (raw.commit !== undefined && raw.commit !== 'none') p.report([...path, 'commit'], { problem: 'commits go to a group', got: raw.commit, expected: 'a group.id in config' });
  if ((raw.instances ?? 1) > 1 && raw.partitions)
    p.report([...path, 'instances'], { problem: 'instances of a consumer without a group would all read the same partitions', got: raw.instances, expected: 'a group.id, or one consumer' });
}

/** Groups need __consumer_offsets: Kafka cannot create it with fewer brokers than offsets.topic.replication.factor. */
export function checkOffsetsTopic(consumers: ConsumerSpec[], brokers: number[], brokerConfig: ConfigMap, p: Problems): void {
  const rf = brokerConfig['offsets.topic.replication.factor'] as number;
  if (!consumers.some((c) => c.group !== undefined) || rf <= brokers.length) return;
  p.report(['cluster', 'config', 'offsets.topic.replication.factor'], {
    problem: `Number of alive brokers '${brokers.length}' does not meet the required replication factor '${rf}' for the offsets topic (configured via 'offsets.topic.replication.factor'): groups would find no coordinator (COORDINATOR_NOT_AVAILABLE)`,
    got: rf,
    expected: `at most ${brokers.length}`,
  });
}
