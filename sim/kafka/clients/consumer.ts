/**
 * A consumer with manually assigned partitions (groups come later): it fetches from each partition's
 * leader up to the high watermark (one fetch in flight per broker, fetch.min.bytes / fetch.max.wait.ms
 * long polls), starting at earliest, latest or a given offset. Stale metadata (NOT_LEADER_OR_FOLLOWER,
 * FENCED_LEADER_EPOCH) refreshes it; OFFSET_OUT_OF_RANGE resets per auto.offset.reset. With client.rack
 * (KIP-392) it sends its rack, and reads a partition from the preferred read replica the leader names
 * until metadata.max.age.ms passes or that replica fails (AbstractFetch.selectReadReplica).
 */
import { ClientMetadata } from './client-metadata.js';
import type { Kernel } from '../../kernel/kernel.js';
import { NO_LEADER } from '../metadata.js';
import type { Metrics } from './metrics.js';
import type { Envelope, Network } from '../../resources/network.js';
import { Process } from '../../kernel/process.js';
import { ReconnectBackoff } from './reconnect.js';
import type { Stream } from '../../kernel/random.js';
import * as P from '../protocol.js';
import type { Trace } from '../../trace/bus.js';

export interface ConsumerConfig {
  fetchMinBytes: number;
  fetchMaxWaitMs: number;
  fetchMaxBytes: number;
  maxPartitionFetchBytes: number;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  metadataMaxAgeMs: number;
  autoOffsetReset: 'earliest' | 'latest' | 'none';
  /** KIP-320: validate the position with OffsetsForLeaderEpoch after a leader change (consumers since 2.3). */
  truncationDetection: boolean;
  /** client.rack; '' for none. */
  clientRack: string;
}

interface Position {
  tp: string;
  /** Next offset to read; -1 until known (from: latest). */
  offset: number;
  /** Leader epoch of the last record read (the position's offsetEpoch), -1 if none. */
  epoch: number;
  /** The leader epoch the position was last fetched or validated under. */
  leaderEpoch: number;
  /** Waiting for an OffsetsForLeaderEpoch answer (AWAIT_VALIDATION): not fetched meanwhile. */
  validating: boolean;
  /** LogTruncationException with auto.offset.reset=none: this partition is no longer read. */
  failed: boolean;
  /** KIP-392: the replica the leader said to read from (-1: the leader), until `preferredUntilUs`. */
  preferred: number;
  preferredUntilUs: number;
}

interface InflightFetch {
  correlationId: number;
  tps: string[];
}

export class Consumer extends Process {
  private readonly metadata: ClientMetadata;
  private positions: Position[] = [];
  private inflight = new Map<number, InflightFetch>();
  private nextCorrelation = 1;
  private fetchAllAtUs = Infinity;
  private validations = new Map<number, { tp: string; leaderEpoch: number }>();
  private readonly backoff: ReconnectBackoff;
  consumed = 0;

  constructor(
    kernel: Kernel,
    readonly name: string,
    private readonly net: Network,
    private readonly trace: Trace,
    private readonly metrics: Metrics,
    private readonly cfg: ConsumerConfig,
    readonly topic: string,
    private readonly partitions: number[],
    private readonly from: 'earliest' | 'latest' | number,
    brokers: number[],
    rng: Stream,
  ) {
    super(kernel, `c:${name}`);
    this.backoff = new ReconnectBackoff(rng);
    this.metadata = new ClientMetadata(
      this,
      net,
      trace,
      brokers,
      topic,
      cfg,
      this.backoff,
      () => this.fetchAll(),
      () => true,
      (node, reason) => this.closeConnection(node, reason),
    );
    net.attach(this, (env) => this.receive(env));
    net.onDisconnect(this.node, (peer) => this.onDisconnect(peer));
  }

  start(): void {
    this.markStarted();
    this.inflight = new Map();
    this.validations = new Map();
    this.backoff.reset();
    this.fetchAllAtUs = Infinity;
    const start = this.from === 'earliest' ? 0 : this.from === 'latest' ? -1 : this.from;
    this.positions = this.partitions.map((p) => ({ tp: `${this.topic}-${p}`, offset: start, epoch: -1, leaderEpoch: -1, validating: false, failed: false, preferred: -1, preferredUntilUs: 0 }));
    this.trace.emit({ type: 'client', t: this.kernel.now, node: this.node, state: 'started' });
    this.metadata.reset();
    this.metadata.request();
  }

  crash(): void {
    if (!this.alive) return;
    this.markDown();
    this.trace.emit({ type: 'client', t: this.kernel.now, node: this.node, state: 'crashed' });
  }

  /** Send a fetch to every leader that has none in flight. */
  private fetchAll(): void {
    const img = this.metadata.image;
    if (img === null || !this.alive) return;
    const byLeader = new Map<number, string[]>();
    for (const pos of this.positions) {
      const p = img.partitions[pos.tp];
      const leader = p.leader;
      if (leader === NO_LEADER || pos.failed) continue;
      if (this.needsValidation(pos, p.leaderEpoch)) this.validate(pos, leader, p.leaderEpoch);
      if (pos.validating) continue;
      const node = this.readReplica(pos, p.replicas, leader);
      const l = byLeader.get(node);
      if (l === undefined) byLeader.set(node, [pos.tp]);
      else l.push(pos.tp);
    }
    const now = this.kernel.now;
    for (const [leader, tps] of [...byLeader].sort((a, b) => a[0] - b[0])) {
      if (this.inflight.has(leader)) continue;
      const readyAt = this.backoff.readyAt(leader);
      if (readyAt <= now) this.sendFetch(leader, tps);
      else this.fetchAllAt(readyAt);
    }
  }

  /** AbstractFetch.selectReadReplica: the preferred read replica while it is fresh and a replica, else the leader. */
  private readReplica(pos: Position, replicas: number[], leader: number): number {
    if (pos.preferred < 0) return leader;
    if (this.kernel.now < pos.preferredUntilUs && replicas.includes(pos.preferred)) return pos.preferred;
    if (this.kernel.now < pos.preferredUntilUs) this.metadata.request();
    pos.preferred = -1;
    return leader;
  }

  private fetchAllAt(t: number): void {
    if (t >= this.fetchAllAtUs) return;
    this.fetchAllAtUs = t;
    this.timerAt(t, () => {
      if (this.fetchAllAtUs !== t) return;
      this.fetchAllAtUs = Infinity;
      this.fetchAll();
    });
  }

  private sendFetch(leader: number, tps: string[]): void {
    const img = this.metadata.image!;
    const correlationId = this.nextCorrelation++;
    const partitions: P.FetchPartition[] = tps.map((tp) => {
      const pos = this.positions.find((x) => x.tp === tp)!;
      // A consumer sends no lastFetchedEpoch (it validates positions separately, KIP-320).
      // Before KIP-320 a consumer's fetch carried no leader epoch either.
      return { tp, fetchOffset: Math.max(0, pos.offset), lastFetchedEpoch: -1, currentLeaderEpoch: this.cfg.truncationDetection ? img.partitions[tp].leaderEpoch : -1 };
    });
    this.inflight.set(leader, { correlationId, tps });
    this.net.send<P.FetchRequest>(this.node, `b${leader}`, 'Fetch', P.REQUEST_OVERHEAD_BYTES + 32 * tps.length, {
      correlationId,
      replicaId: -1,
      replicaEpoch: -1,
      maxWaitMs: this.cfg.fetchMaxWaitMs,
      minBytes: this.cfg.fetchMinBytes,
      maxBytes: this.cfg.fetchMaxBytes,
      partitionMaxBytes: this.cfg.maxPartitionFetchBytes,
      partitions,
      ...(this.cfg.clientRack !== '' ? { rackId: this.cfg.clientRack } : {}),
    });
    this.timer((this.cfg.requestTimeoutMs + this.cfg.fetchMaxWaitMs) * 1000, () => {
      if (this.inflight.get(leader)?.correlationId === correlationId) this.closeConnection(leader, 'request.timeout.ms');
    });
  }

  /** KIP-320 (SubscriptionState.maybeValidatePositionForCurrentLeader): a new leader epoch since we read. */
  private needsValidation(pos: Position, leaderEpoch: number): boolean {
    if (!this.cfg.truncationDetection || pos.validating) return false;
    if (pos.epoch < 0 || pos.offset < 0) {
      pos.leaderEpoch = leaderEpoch;
      return false;
    }
    return leaderEpoch > pos.leaderEpoch;
  }

  private validate(pos: Position, leader: number, leaderEpoch: number): void {
    pos.validating = true;
    const correlationId = this.nextCorrelation++;
    const leaderEpochAsked = pos.leaderEpoch;
    this.validations.set(correlationId, { tp: pos.tp, leaderEpoch });
    this.net.send<P.OffsetsForLeaderEpochRequest>(this.node, `b${leader}`, 'OffsetsForLeaderEpoch', P.REQUEST_OVERHEAD_BYTES + 16, {
      correlationId,
      replicaId: -1,
      partitions: [{ tp: pos.tp, leaderEpoch: pos.epoch }],
    });
    this.timer(this.cfg.requestTimeoutMs * 1000, () => {
      if (this.validations.delete(correlationId)) {
        pos.validating = false;
        pos.leaderEpoch = leaderEpochAsked;
        // NetworkClient closes the connection of a request that timed out (the fetch on it fails too).
        this.closeConnection(leader, 'request.timeout.ms');
        this.metadata.request();
      }
    });
  }

  /** OffsetFetcherUtils/maybeCompleteValidation: a truncated log sends the position back to where it diverged. */
  private onValidation(r: P.OffsetsForLeaderEpochResponse): void {
    const v = this.validations.get(r.correlationId);
    if (v === undefined) return;
    this.validations.delete(r.correlationId);
    const pos = this.positions.find((x) => x.tp === v.tp)!;
    pos.validating = false;
    const pr = r.partitions[0];
    if (pr === undefined || pr.error !== 'NONE') {
      this.metadata.request();
      this.fetchAllAt(this.kernel.now + this.cfg.retryBackoffMs * 1000);
      return;
    }
    pos.leaderEpoch = v.leaderEpoch;
    const undefinedEnd = pr.endOffset < 0 || (pr.leaderEpoch ?? 0) < 0;
    if (undefinedEnd || pr.endOffset < pos.offset) {
      const reset = this.cfg.autoOffsetReset === 'none' ? 'none' : 'divergence';
      const to = undefinedEnd ? (this.cfg.autoOffsetReset === 'earliest' ? 0 : -1) : pr.endOffset;
      this.trace.emit({ type: 'truncationDetected', t: this.kernel.now, consumer: this.name, tp: pos.tp, position: pos.offset, truncatedTo: Math.max(0, to), reset });
      if (reset === 'none') pos.failed = true;
      else pos.offset = to;
    }
    this.fetchAll();
  }

  private lost(leader: number): void {
    // AbstractFetch.handleFetchFailure: the partitions of the failed fetch forget their preferred read replica.
    for (const tp of this.inflight.get(leader)?.tps ?? []) this.positions.find((x) => x.tp === tp)!.preferred = -1;
    this.inflight.delete(leader);
    this.backoff.failed(leader, this.kernel.now);
    this.metadata.request();
    this.fetchAllAt(this.backoff.readyAt(leader));
  }

  /** NetworkClient closes the connection whose request timed out: what it held is discarded, its requests fail. */
  private closeConnection(node: number, reason: string): void {
    this.net.close(this.node, `b${node}`, reason);
    this.onDisconnect(`b${node}`);
  }

  private onDisconnect(peer: string): void {
    if (!peer.startsWith('b')) return;
    const node = Number(peer.slice(1));
    this.metadata.disconnected(node);
    if (this.inflight.has(node)) this.lost(node);
  }

  private receive(env: Envelope): void {
    if (env.kind === 'MetadataResponse') this.metadata.onResponse(env.payload as P.MetadataResponse);
    else if (env.kind === 'FetchResponse') this.onFetchResponse(env as Envelope<P.FetchResponse>);
    else if (env.kind === 'OffsetsForLeaderEpochResponse') this.onValidation(env.payload as P.OffsetsForLeaderEpochResponse);
  }

  private onFetchResponse(env: Envelope<P.FetchResponse>): void {
    const leader = Number(env.from.slice(1));
    const f = this.inflight.get(leader);
    if (f === undefined || f.correlationId !== env.payload.correlationId) return;
    this.inflight.delete(leader);
    this.backoff.succeeded(leader);
    let refresh = false;
    const now = this.kernel.now;
    for (const pr of env.payload.partitions) {
      const pos = this.positions.find((x) => x.tp === pr.tp)!;
      if (pr.preferredReadReplica !== undefined) {
        pos.preferred = pr.preferredReadReplica;
        pos.preferredUntilUs = now + this.cfg.metadataMaxAgeMs * 1000;
      }
      if (pr.error === 'OFFSET_OUT_OF_RANGE') {
        // FetchCollector: out of range at a preferred read replica only sends the partition back to the leader.
        if (pos.preferred >= 0) pos.preferred = -1;
        else pos.offset = this.cfg.autoOffsetReset === 'latest' ? pr.highWatermark : 0;
        continue;
      }
      if (pr.error !== 'NONE') {
        pos.preferred = -1;
        refresh = true;
        continue;
      }
      if (pos.offset < 0) {
        // from: latest — start at the current end (ListOffsets LATEST returns the HW).
        pos.offset = pr.highWatermark;
        continue;
      }
      if (pos.validating || pos.failed) continue;
      for (const e of pr.entries) {
        const end = e.offset + e.batch.count;
        if (end <= pos.offset) continue;
        const skip = Math.max(0, pos.offset - e.offset);
        const count = e.batch.count - skip;
        this.trace.emit({ type: 'consume', t: now, consumer: this.name, tp: pr.tp, offset: e.offset + skip, count, epoch: e.epoch, pid: e.batch.pid, seq: e.batch.seq + skip });
        this.metrics.recordEndToEnd(now, e.batch.createUs, skip, e.batch.count);
        this.consumed += count;
        pos.offset = end;
        pos.epoch = e.epoch;
      }
    }
    if (refresh) {
      this.metadata.request();
      this.fetchAllAt(now + this.cfg.retryBackoffMs * 1000);
    } else {
      this.fetchAll();
    }
  }
}
