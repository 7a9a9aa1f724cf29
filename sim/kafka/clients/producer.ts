/**
 * A Kafka producer (Kafka's KafkaProducer, the facade): the application calls send() at a steady rate;
 * records go into per-partition batches (accumulator.ts, RecordAccumulator: linger.ms, batch.size,
 * buffer.memory); the Sender (sender.ts) drains at most one batch per partition into each Produce
 * request, keeps up to max.in.flight.requests.per.connection requests per broker, retries retriable
 * errors with exponential backoff until delivery.timeout.ms, and with enable.idempotence numbers records
 * (transaction-manager.ts) so the broker drops duplicates and keeps order.
 * Sources: docs/kafka-source-notes.md §5.
 */
import type { Kernel } from '../../kernel/kernel.js';
import type { Envelope, Network } from '../../resources/network.js';
import { Process } from '../../kernel/process.js';
import type * as P from '../protocol.js';
import type { Stream } from '../../kernel/random.js';
import type { ProducerConfig, ProducerContext, ProducerWorkload } from './context.js';
import type { Trace } from '../../trace/bus.js';
import type { Metrics } from './metrics.js';
import { ClientMetadata } from './client-metadata.js';
import { ReconnectBackoff } from './reconnect.js';
import { RecordAccumulator } from './accumulator.js';
import { Sender } from './sender.js';
import { TransactionManager } from './transaction-manager.js';

export type { ProducerConfig, ProducerWorkload } from './context.js';

export class Producer extends Process implements ProducerContext {
  readonly metadata: ClientMetadata;
  readonly backoff: ReconnectBackoff;
  readonly accumulator: RecordAccumulator;
  readonly sender: Sender;
  readonly transactionManager: TransactionManager;
  compressBusyUs = 0;

  /** Records the application has called send() for. */
  get sentCount(): number {
    return this.accumulator.sent;
  }

  get topic(): string {
    return this.work.topic;
  }

  /** The current producer id. */
  get pid(): number {
    return this.transactionManager.pid;
  }

  constructor(
    kernel: Kernel,
    readonly name: string,
    readonly net: Network,
    readonly trace: Trace,
    readonly metrics: Metrics,
    readonly cfg: ProducerConfig,
    private readonly work: ProducerWorkload,
    partitions: number,
    brokers: number[],
    readonly rng: { keys: Stream; partitioner: Stream; backoff: Stream; reconnect: Stream },
    /** Hands out producer ids (InitProducerId). */
    newPid: () => number,
  ) {
    super(kernel, `p:${name}`);
    this.backoff = new ReconnectBackoff(rng.reconnect);
    this.metadata = new ClientMetadata(
      this,
      net,
      trace,
      brokers,
      work.topic,
      cfg,
      this.backoff,
      () => this.sender.onMetadata(),
      () => this.accumulator.hasQueued(),
      (node, reason) => this.closeConnection(node, reason),
      (node) => this.sender.inFlight(node),
    );
    this.accumulator = new RecordAccumulator(this, cfg, work, partitions, rng.keys, rng.partitioner);
    this.sender = new Sender(this, this.accumulator);
    this.transactionManager = new TransactionManager(partitions, newPid);
    net.attach(this, (env) => this.receive(env));
    net.onDisconnect(this.node, (peer) => this.onDisconnect(peer));
  }

  /** Start the producer process (a new producer id each time, as InitProducerId gives). */
  start(): void {
    this.markStarted();
    this.transactionManager.initProducerId();
    this.accumulator.reset();
    this.sender.reset();
    this.backoff.reset();
    this.sender.nextWakeUs = Infinity;
    this.trace.emit({ type: 'client', t: this.kernel.now, node: this.node, state: 'started', pid: this.pid });
    this.metadata.reset();
    this.metadata.request();
    this.accumulator.restartAt(this.kernel.now);
    this.sender.wakeAt(this.accumulator.tOf(this.accumulator.sent));
  }

  /** The process dies: whatever was buffered or in flight is lost to the application. */
  crash(): void {
    if (!this.alive) return;
    const acc = this.accumulator;
    acc.catchUp(this.kernel.now);
    for (let i = 0; i < acc.tps.length; i++) {
      for (const b of acc.queues[i]) this.sender.fail(b, 'PRODUCER_CRASHED');
      for (const b of this.sender.inflightByTp[i]) this.sender.fail(b, 'PRODUCER_CRASHED');
    }
    this.markDown();
    this.trace.emit({ type: 'client', t: this.kernel.now, node: this.node, state: 'crashed' });
  }

  /** The run is over at `now`: records due before it were sent by the application (not those due at it). */
  finish(): void {
    this.accumulator.catchUp(this.kernel.now - 1);
  }

  private receive(env: Envelope): void {
    if (env.kind === 'ProduceResponse') this.sender.onProduceResponse(env as Envelope<P.ProduceResponse>);
    else if (env.kind === 'MetadataResponse') this.metadata.onResponse(env.payload as P.MetadataResponse);
  }

  /**
   * NetworkClient closes the connection to a broker when a request on it times out: whatever it held is
   * discarded, and every request on it (produce and metadata alike: they share it) fails.
   */
  closeConnection(node: number, reason: string): void {
    this.net.close(this.node, `b${node}`, reason);
    this.sender.onBrokerDisconnect(node, true);
    this.metadata.disconnected(node);
  }

  private onDisconnect(peer: string): void {
    if (peer.startsWith('b')) {
      const node = Number(peer.slice(1));
      this.sender.onBrokerDisconnect(node);
      this.metadata.disconnected(node);
    }
  }
}
