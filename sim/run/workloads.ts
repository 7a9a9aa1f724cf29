/**
 * The workload of a run: a Producer for each of the scenario's producers (started at once; it sends from
 * its own start time) and a Consumer for each consumer (started at its start time), configured from their
 * Kafka configs, each with its own named random streams.
 */
import { Consumer } from '../kafka/clients/consumer.js';
import type { MemberConfig } from '../kafka/group/member.js';
import { assignmentStrategies, serverAssignors } from '../config/config.js';
import type { Metrics } from '../kafka/clients/metrics.js';
import { Producer } from '../kafka/clients/producer.js';
import { codecId, DEFAULT_COMPRESSION_RATIO } from '../kafka/cpu-costs.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Streams } from '../kernel/random.js';
import type { Network } from '../resources/network.js';
import type { ConsumerSpec, ProducerSpec, Scenario } from '../scenario/types.js';
import type { Trace } from '../trace/bus.js';
import type { TopicInfo } from '../trace/events.js';
import { bool, num } from './configs.js';

/** What clients are created from and into (a `Simulation` has these). */
export interface Workload {
  readonly scenario: Scenario;
  readonly kernel: Kernel;
  readonly net: Network;
  readonly trace: Trace;
  readonly metrics: Metrics;
  readonly streams: Streams;
  readonly topics: readonly TopicInfo[];
  readonly producers: Map<string, Producer>;
  readonly consumers: Map<string, Consumer>;
}

/** Create and start the producers, then create the consumers and schedule their starts. */
export function createClients(sim: Workload): void {
  const brokers = [...sim.scenario.cluster.brokers];
  // Producer ids: one sequence for the run, shared by its producers.
  let pid = 1000;
  const nextPid = () => pid++;
  for (const p of sim.scenario.producers) {
    const prod = createProducer(sim, p, brokers, nextPid);
    sim.producers.set(p.name, prod);
    prod.start();
  }
  for (const c of sim.scenario.consumers) {
    const cons = createConsumer(sim, c, brokers);
    sim.consumers.set(c.name, cons);
    sim.kernel.at(c.startUs, () => cons.start());
  }
}

/** The workload's compression ratio under its codec (1 without compression). */
function compressionRatioOf(p: ProducerSpec): number {
  const codec = codecId(String(p.config['compression.type'] ?? 'none'));
  return codec === 0 ? 1 : (p.compressionRatio ?? DEFAULT_COMPRESSION_RATIO[codec]);
}

function createProducer(sim: Workload, p: ProducerSpec, brokers: number[], nextPid: () => number): Producer {
  const c = p.config;
  const topic = sim.topics.find((t) => t.name === p.topic)!;
  return new Producer(
    sim.kernel,
    p.name,
    sim.net,
    sim.trace,
    sim.metrics,
    {
      acks: num(c, 'acks'),
      idempotence: bool(c, 'enable.idempotence'),
      lingerMs: num(c, 'linger.ms'),
      batchSize: num(c, 'batch.size'),
      bufferMemory: num(c, 'buffer.memory'),
      maxInFlight: num(c, 'max.in.flight.requests.per.connection'),
      requestTimeoutMs: num(c, 'request.timeout.ms'),
      deliveryTimeoutMs: num(c, 'delivery.timeout.ms'),
      retries: num(c, 'retries'),
      retryBackoffMs: num(c, 'retry.backoff.ms'),
      retryBackoffMaxMs: num(c, 'retry.backoff.max.ms'),
      metadataMaxAgeMs: num(c, 'metadata.max.age.ms'),
      maxRequestSize: num(c, 'max.request.size'),
      maxBlockMs: num(c, 'max.block.ms'),
      partitionerIgnoreKeys: bool(c, 'partitioner.ignore.keys'),
      adaptivePartitioning: bool(c, 'partitioner.adaptive.partitioning.enable'),
      messageFormat: sim.scenario.cluster.behaviour.messageFormat,
      codec: codecId(String(c['compression.type'] ?? 'none')),
    },
    {
      topic: p.topic,
      ratePerSec: p.ratePerSec,
      recordBytes: p.recordBytes,
      compressionRatio: compressionRatioOf(p),
      keys: p.keys,
      startUs: p.startUs,
      stopUs: p.stopUs ?? Infinity,
      maxRecords: p.maxRecords ?? Infinity,
    },
    topic.partitions,
    brokers,
    {
      keys: sim.streams.get(`producer:${p.name}:keys`),
      partitioner: sim.streams.get(`producer:${p.name}:partitioner`),
      backoff: sim.streams.get(`producer:${p.name}:backoff`),
      reconnect: sim.streams.get(`producer:${p.name}:reconnect`),
    },
    nextPid,
  );
}

function createConsumer(sim: Workload, c: ConsumerSpec, brokers: number[]): Consumer {
  const cc = c.config;
  const topic = sim.topics.find((t) => t.name === c.topic)!;
  const partitions = c.partitions ?? Array.from({ length: topic.partitions }, (_, i) => i);
  return new Consumer(
    sim.kernel,
    c.name,
    sim.net,
    sim.trace,
    sim.metrics,
    {
      fetchMinBytes: num(cc, 'fetch.min.bytes'),
      fetchMaxWaitMs: num(cc, 'fetch.max.wait.ms'),
      fetchMaxBytes: num(cc, 'fetch.max.bytes'),
      maxPartitionFetchBytes: num(cc, 'max.partition.fetch.bytes'),
      requestTimeoutMs: num(cc, 'request.timeout.ms'),
      retryBackoffMs: num(cc, 'retry.backoff.ms'),
      metadataMaxAgeMs: num(cc, 'metadata.max.age.ms'),
      autoOffsetReset: cc['auto.offset.reset'] as 'earliest' | 'latest' | 'none',
      truncationDetection: sim.scenario.cluster.behaviour.consumerTruncationDetection,
      clientRack: String(cc['client.rack'] ?? ''),
      brokerRacks: sim.scenario.cluster.racks,
    },
    c.topic,
    partitions,
    c.from,
    brokers,
    sim.streams.get(`consumer:${c.name}:reconnect`),
    { processingUs: c.processingUs, workers: c.workers, commit: c.commit, maxPollRecords: num(cc, 'max.poll.records') },
    c.group === undefined ? null : memberConfig(c, sim.scenario.cluster.behaviour.rackAwareAssignment),
  );
}

function memberConfig(c: ConsumerSpec, rackAwareAssignment: boolean): MemberConfig {
  const cc = c.config;
  const instanceId = cc['group.instance.id'] as string;
  const rack = String(cc['client.rack'] ?? '');
  return {
    rack: rackAwareAssignment && rack !== '' ? rack : undefined,
    group: c.group!,
    instanceId: instanceId === '' ? undefined : instanceId,
    protocol: cc['group.protocol'] as 'classic' | 'consumer',
    remoteAssignor: serverAssignors(cc['group.remote.assignor'] as string, 'group.remote.assignor')[0],
    assignors: assignmentStrategies(cc['partition.assignment.strategy'] as string),
    sessionTimeoutMs: num(cc, 'session.timeout.ms'),
    heartbeatIntervalMs: num(cc, 'heartbeat.interval.ms'),
    maxPollIntervalMs: num(cc, 'max.poll.interval.ms'),
    requestTimeoutMs: num(cc, 'request.timeout.ms'),
    retryBackoffMs: num(cc, 'retry.backoff.ms'),
    autoCommit: bool(cc, 'enable.auto.commit'),
    autoCommitIntervalMs: num(cc, 'auto.commit.interval.ms'),
  };
}
