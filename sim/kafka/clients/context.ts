/**
 * What the parts of a producer (accumulator.ts, sender.ts) use of the producer that owns them
 * (producer.ts, Kafka's KafkaProducer), so that they depend on this small interface and not on the
 * Producer class that constructs them.
 */
import type { Kernel } from '../../kernel/kernel.js';
import type { Stream } from '../../kernel/random.js';
import type { Network } from '../../resources/network.js';
import type { KeySpec } from '../../scenario/types.js';
import type { Trace } from '../../trace/bus.js';
import type { ClientMetadata } from './client-metadata.js';
import type { Metrics } from './metrics.js';
import type { ReconnectBackoff } from './reconnect.js';
import type { TransactionManager } from './transaction-manager.js';

export interface ProducerConfig {
  acks: number;
  idempotence: boolean;
  lingerMs: number;
  batchSize: number;
  bufferMemory: number;
  maxInFlight: number;
  requestTimeoutMs: number;
  deliveryTimeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  metadataMaxAgeMs: number;
  maxRequestSize: number;
  maxBlockMs: number;
  partitionerIgnoreKeys: boolean;
  adaptivePartitioning: boolean;
  /** The record format it writes (the cluster's behaviour.messageFormat): sets each record's and batch's bytes. */
  messageFormat: 'v0' | 'v1' | 'v2';
  /** compression.type as a batch attribute's codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
  codec: number;
}

export interface ProducerWorkload {
  topic: string;
  ratePerSec: number;
  recordBytes: number;
  /** Uncompressed / compressed bytes of its batches (1 without compression). */
  compressionRatio: number;
  keys: KeySpec;
  startUs: number;
  stopUs: number;
  maxRecords: number;
}

/** What the RecordAccumulator asks of the Sender: which partitions have a leader, and a wake-up. */
export interface SenderWakeup {
  /** Whether partition `p` has a known leader (the partitioner skips those without). */
  readonly available: (p: number) => boolean;
  wakeAt(t: number): void;
}

/** The producer as its parts see it: identity, resources, config, metadata, ids and timers. */
export interface ProducerContext {
  readonly name: string;
  /** The topic it sends to. */
  readonly topic: string;
  /** The network node name (`p:<name>`). */
  readonly node: string;
  readonly kernel: Kernel;
  readonly net: Network;
  readonly trace: Trace;
  readonly metrics: Metrics;
  readonly cfg: ProducerConfig;
  readonly rng: { keys: Stream; partitioner: Stream; backoff: Stream; reconnect: Stream };
  readonly alive: boolean;
  readonly metadata: ClientMetadata;
  readonly backoff: ReconnectBackoff;
  readonly transactionManager: TransactionManager;
  readonly sender: SenderWakeup;
  /** CPU time spent compressing batches, µs (the application thread compresses as it appends). */
  compressBusyUs: number;
  /** Run `fn` at absolute time `t` (µs) if this incarnation is still alive then. */
  timerAt(t: number, fn: () => void): void;
  /** Close the connection to broker `node` (NetworkClient.disconnect after a request timeout): every request on it fails. */
  closeConnection(node: number, reason: string): void;
}
