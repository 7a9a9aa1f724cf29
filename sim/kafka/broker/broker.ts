/**
 * A Kafka broker: its logs (which outlive the process), its view of the metadata, the leader side of
 * replication (produce, fetch, high watermark, ISR shrink and expand through AlterPartition) and the
 * follower side (replica fetchers with truncation by diverging epoch). Behaviour follows Kafka 4.x
 * (Partition.scala, ReplicaManager, AbstractFetcherThread); docs/kafka-source-notes.md has the sources.
 */
import { Deadlines, type Deadline } from '../../kernel/deadlines.js';
import type { Disk } from '../../resources/disk.js';
import type { Kernel } from '../../kernel/kernel.js';
import { NO_LEADER, type MetadataImage, type PartitionState } from '../metadata.js';
import type { Envelope, Network } from '../../resources/network.js';
import { PartitionLog, UNDEFINED_EPOCH, UNDEFINED_OFFSET, type LogEntry, type RecordBatch } from '../partition-log.js';
import { Process } from '../../kernel/process.js';
import * as P from '../protocol.js';
import type { KafkaError } from '../../trace/events.js';
import type { Trace } from '../../trace/bus.js';

export interface BrokerConfig {
  replicaLagTimeMaxMs: number;
  replicaFetchWaitMaxMs: number;
  replicaFetchMinBytes: number;
  replicaFetchMaxBytes: number;
  replicaFetchResponseMaxBytes: number;
  replicaFetchBackoffMs: number;
  /** replica.socket.timeout.ms: a fetch with no answer after this is abandoned. */
  replicaSocketTimeoutMs: number;
  brokerHeartbeatIntervalMs: number;
  /** flush.messages of a topic (log.flush.interval.messages unless the topic overrides it). */
  flushMessages: (topic: string) => number;
  /** flush.ms of a topic (log.flush.interval.ms unless the topic overrides it). */
  flushMs: (topic: string) => number;
  /** min.insync.replicas per topic. */
  minIsr: (topic: string) => number;
  /** KAFKA-15583 (3.7+): the HW does not advance while the ISR is below min ISR. */
  hwFrozenUnderMinIsr: boolean;
  /**
   * How a replica that becomes a follower truncates (sim/config.ts Behaviour): to its HW (before 0.11),
   * to the end offset of one OffsetsForLeaderEpoch answered without an epoch (0.11-1.x), or by
   * diverging epoch (2.0+, on fetch since 2.7).
   */
  truncation: 'highWatermark' | 'epochNoEpochInResponse' | 'divergingEpoch';
}

/** A follower as its leader sees it (Replica.scala's ReplicaState). */
interface FollowerState {
  broker: number;
  leo: number;
  lastCaughtUpUs: number;
  lastFetchUs: number;
  lastFetchLeaderLeo: number;
}

/** A produce request waiting in purgatory for the HW (acks=all) or the disk (acks=1). */
interface DelayedProduce {
  env: Envelope<P.ProduceRequest>;
  results: P.ProducePartitionResponse[];
  /** Per partition (index into results): the offset the HW must reach, or -1 once settled. */
  required: number[];
  /** How many partitions still wait. */
  waiting: number;
  deadlineUs: number;
  done: boolean;
  deadline?: Deadline;
}

interface DelayedFetch {
  env: Envelope<P.FetchRequest>;
  deadlineUs: number;
  done: boolean;
  deadline?: Deadline;
}

/** A partition replica's runtime role on this broker (lost when the process dies). */
interface LocalPartition {
  tp: string;
  topic: string;
  log: PartitionLog;
  state: PartitionState;
  role: 'leader' | 'follower';
  leaderEpoch: number;
  /** Leader only: committed ISR, the pending AlterPartition (if any) and followers' states. */
  isr: number[];
  pendingIsr: number[] | null;
  partitionEpoch: number;
  epochStartOffset: number;
  followers: Map<number, FollowerState>;
  unflushedMessages: number;
  lastFlushUs: number;
  /** Follower, `epochNoEpochInResponse` only: OffsetsForLeaderEpoch still to be asked before fetching. */
  truncating?: boolean;
}

/** One replica fetcher: fetches every partition this broker follows from one leader. */
interface Fetcher {
  leader: number;
  tps: Set<string>;
  inflight: boolean;
  /** Bumped when a fetch is abandoned (timeout), so its late response is ignored. */
  gen: number;
  timeout?: Deadline;
}

export class Broker extends Process {
  /** Logs by partition: they survive process crashes (the page cache and disk keep them). */
  readonly logs = new Map<string, PartitionLog>();
  image: MetadataImage | null = null;
  brokerEpoch = -1;
  fenced = true;
  shuttingDown = false;
  private parts = new Map<string, LocalPartition>();
  private fetchers = new Map<number, Fetcher>();
  private delayedProduces: DelayedProduce[] = [];
  private delayedFetches: DelayedFetch[] = [];
  private metadataInflight = false;
  // Timeouts, one queue per duration so each stays in deadline order.
  private produceDeadlines = this.newDeadlines();
  private fetchWaits = this.newDeadlines();
  private fetcherTimeouts = this.newDeadlines();
  private metadataAttempt = 0;

  constructor(
    kernel: Kernel,
    readonly id: number,
    private readonly net: Network,
    readonly disk: Disk,
    private readonly trace: Trace,
    private readonly cfg: BrokerConfig,
    /** How often to look for logs due a flush.ms fsync (Infinity: never). */
    private readonly flushPeriodUs: number,
  ) {
    super(kernel, `b${id}`);
    net.attach(this, (env) => this.receive(env));
    net.onDisconnect(this.node, (peer) => this.onDisconnect(peer));
  }

  /** A peer's process died (or refused us): fail what we were waiting for from it. */
  private onDisconnect(peer: string): void {
    if (peer === 'ctl') {
      if (!this.metadataInflight) return;
      this.metadataInflight = false;
      this.metadataAttempt++;
      this.timer(this.cfg.replicaFetchBackoffMs * 1000, () => this.fetchMetadata());
      return;
    }
    const f = this.fetchers.get(Number(peer.slice(1)));
    if (f !== undefined && f.inflight) {
      f.inflight = false;
      f.gen++;
      this.fetchAfterBackoff(f);
    }
  }

  logFor(tp: string): PartitionLog {
    let log = this.logs.get(tp);
    if (log === undefined) {
      log = new PartitionLog(tp);
      this.logs.set(tp, log);
    }
    return log;
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /**
   * Start the process. At time 0 the cluster is already formed (`bootstrap` gives the image and the
   * broker epoch); a restart registers with the controller, catches up metadata and waits to be unfenced.
   */
  start(bootstrap?: { image: MetadataImage; brokerEpoch: number }): void {
    this.markStarted();
    this.parts = new Map();
    this.fetchers = new Map();
    this.delayedProduces = [];
    this.delayedFetches = [];
    this.produceDeadlines = this.newDeadlines();
    this.fetchWaits = this.newDeadlines();
    this.fetcherTimeouts = this.newDeadlines();
    this.metadataInflight = false;
    this.shuttingDown = false;
    // Log recovery: the HW restarts from the last checkpoint (replication-offset-checkpoint).
    for (const log of this.logs.values()) log.hw = Math.min(log.hwCheckpoint, log.leo);
    this.trace.emit({ type: 'broker', t: this.kernel.now, broker: this.id, state: 'running' });
    if (bootstrap !== undefined) {
      this.brokerEpoch = bootstrap.brokerEpoch;
      this.fenced = false;
      // Act once every broker of the formed cluster is up (they all start at time 0).
      this.timer(0, () => {
        this.applyImage(bootstrap.image);
        this.heartbeatLoop();
        this.fetchMetadata();
      });
    } else {
      this.image = null;
      this.fenced = true;
      this.brokerEpoch = -1;
      this.register();
    }
    this.timer(5_000_000, () => this.checkpointHwLoop());
    if (this.flushPeriodUs < Infinity) this.timer(this.flushPeriodUs, () => this.flushLoop());
    this.timer((this.cfg.replicaLagTimeMaxMs * 1000) / 2, () => this.isrExpirationLoop());
  }

  /** Crash the process. A power loss also drops the page cache: logs go back to their durable offsets. */
  crash(mode: 'process' | 'power'): void {
    if (!this.alive) return;
    this.markDown();
    this.trace.emit({ type: 'broker', t: this.kernel.now, broker: this.id, state: 'crashed', mode });
    if (mode === 'power') this.losePageCache();
  }

  /** Power loss of a machine whose broker process is already down still loses its page cache. */
  losePageCache(): void {
    this.disk.powerLoss();
    for (const log of this.logs.values()) {
      const removed = log.truncateTo(log.durableOffset);
      if (removed > 0) this.trace.emit({ type: 'truncate', t: this.kernel.now, broker: this.id, tp: log.tp, to: log.leo, removed, reason: 'powerLoss' });
    }
  }

  /** Controlled shutdown: ask the controller to move leadership away, then stop cleanly. */
  shutdown(): void {
    if (this.state !== 'running' || this.shuttingDown) return;
    this.shuttingDown = true;
    this.trace.emit({ type: 'broker', t: this.kernel.now, broker: this.id, state: 'shuttingDown' });
    this.sendHeartbeat();
  }

  private stopCleanly(): void {
    // A clean shutdown flushes every log and writes the HW checkpoint.
    for (const log of this.logs.values()) {
      log.hwCheckpoint = log.hw;
      if (log.durableOffset < log.leo) {
        log.durableOffset = log.leo;
        this.trace.emit({ type: 'flush', t: this.kernel.now, broker: this.id, tp: log.tp, to: log.leo });
      }
    }
    this.markDown();
    this.trace.emit({ type: 'broker', t: this.kernel.now, broker: this.id, state: 'stopped' });
  }

  override pause(): void {
    if (this.state !== 'running') return;
    super.pause();
    this.trace.emit({ type: 'broker', t: this.kernel.now, broker: this.id, state: 'paused' });
  }

  override resume(): void {
    if (this.state !== 'paused') return;
    this.trace.emit({ type: 'broker', t: this.kernel.now, broker: this.id, state: 'running' });
    super.resume();
  }

  // ---- controller interaction ----------------------------------------------------------------

  private register(): void {
    this.net.send<P.BrokerRegistrationRequest>(this.node, 'ctl', 'BrokerRegistration', 128, { broker: this.id, incarnation: this.incarnation });
    // Retry if no answer arrives (controller down or unreachable).
    const inc = this.incarnation;
    this.timer(this.cfg.brokerHeartbeatIntervalMs * 1000, () => {
      if (this.brokerEpoch < 0 && inc === this.incarnation) this.register();
    });
  }

  private onRegistrationResponse(r: P.BrokerRegistrationResponse): void {
    if (this.brokerEpoch >= 0) return;
    if (r.error !== 'NONE') return; // retried by the timer in register()
    this.brokerEpoch = r.brokerEpoch;
    this.fetchMetadata();
    this.heartbeatLoop();
  }

  private heartbeatLoop(): void {
    this.sendHeartbeat();
    this.timer(this.cfg.brokerHeartbeatIntervalMs * 1000, () => this.heartbeatLoop());
  }

  private sendHeartbeat(): void {
    if (this.brokerEpoch < 0) return;
    this.net.send<P.BrokerHeartbeatRequest>(this.node, 'ctl', 'BrokerHeartbeat', 64, {
      broker: this.id,
      brokerEpoch: this.brokerEpoch,
      metadataVersion: this.image?.version ?? -1,
      wantShutDown: this.shuttingDown,
    });
  }

  private onHeartbeatResponse(r: P.BrokerHeartbeatResponse): void {
    if (r.error === 'STALE_BROKER_EPOCH') {
      // The controller no longer knows this incarnation: register again.
      this.brokerEpoch = -1;
      this.register();
      return;
    }
    const wasFenced = this.fenced;
    this.fenced = r.fenced;
    if (r.shouldShutDown && this.shuttingDown) this.stopCleanly();
    else if (wasFenced && !r.fenced) this.sendHeartbeat();
  }

  private fetchMetadata(): void {
    if (this.metadataInflight) return;
    this.metadataInflight = true;
    const attempt = ++this.metadataAttempt;
    this.net.send<P.MetadataFetchRequest>(this.node, 'ctl', 'MetadataFetch', 64, { node: this.node, version: this.image?.version ?? -1 });
    // If the controller does not answer (down or cut off), try again.
    this.timer(this.cfg.replicaSocketTimeoutMs * 1000, () => {
      if (attempt === this.metadataAttempt && this.metadataInflight) {
        this.metadataInflight = false;
        this.fetchMetadata();
      }
    });
  }

  private onMetadataFetchResponse(r: P.MetadataFetchResponse): void {
    this.metadataInflight = false;
    const caughtUpBefore = this.image !== null;
    if (this.image === null || r.image.version > this.image.version) {
      this.applyImage(r.image);
      this.trace.emit({ type: 'metadata', t: this.kernel.now, node: this.node, version: r.image.version });
      // A fenced broker that has caught up heartbeats at once to be unfenced sooner.
      if (!caughtUpBefore || this.fenced) this.sendHeartbeat();
    }
    this.fetchMetadata();
  }

  // ---- metadata → roles ----------------------------------------------------------------------

  private applyImage(img: MetadataImage): void {
    const old = this.image;
    this.image = img;
    for (const tp in img.partitions) {
      const p = img.partitions[tp];
      if (!p.replicas.includes(this.id)) continue;
      if (old !== null && old.partitions[tp] === p && this.parts.has(tp)) continue;
      const cur = this.parts.get(tp);
      if (p.leader === this.id) {
        if (cur === undefined || cur.role !== 'leader' || cur.leaderEpoch !== p.leaderEpoch) this.becomeLeader(p);
        else this.updateLeaderState(cur, p);
      } else if (cur === undefined || cur.role !== 'follower' || cur.leaderEpoch !== p.leaderEpoch || cur.state.leader !== p.leader) {
        this.becomeFollower(p);
      } else {
        cur.state = p;
      }
    }
  }

  private becomeLeader(p: PartitionState): void {
    const log = this.logFor(p.tp);
    this.removeFromFetchers(p.tp);
    // Since 2.1 (KAFKA-7415) a new leader records its epoch's start at once; before, only its first append did.
    if (this.cfg.truncation === 'divergingEpoch') log.assignEpoch(p.leaderEpoch, log.leo);
    const followers = new Map<number, FollowerState>();
    const now = this.kernel.now;
    for (const r of p.replicas) {
      if (r === this.id) continue;
      // resetReplicaState: in-sync followers count as caught up now; their LEO is unknown until they fetch.
      followers.set(r, { broker: r, leo: -1, lastCaughtUpUs: p.isr.includes(r) ? now : -Infinity, lastFetchUs: -Infinity, lastFetchLeaderLeo: -1 });
    }
    const lp: LocalPartition = {
      tp: p.tp, topic: p.topic, log, state: p, role: 'leader', leaderEpoch: p.leaderEpoch,
      isr: [...p.isr], pendingIsr: null, partitionEpoch: p.partitionEpoch, epochStartOffset: log.leo,
      followers, unflushedMessages: this.parts.get(p.tp)?.unflushedMessages ?? 0, lastFlushUs: this.parts.get(p.tp)?.lastFlushUs ?? 0,
    };
    this.parts.set(p.tp, lp);
    this.maybeIncrementHw(lp);
  }

  private updateLeaderState(lp: LocalPartition, p: PartitionState): void {
    lp.state = p;
    if (p.partitionEpoch > lp.partitionEpoch) {
      lp.isr = [...p.isr];
      lp.partitionEpoch = p.partitionEpoch;
      lp.pendingIsr = null;
      this.maybeIncrementHw(lp);
    }
  }

  private becomeFollower(p: PartitionState): void {
    const log = this.logFor(p.tp);
    const prev = this.parts.get(p.tp);
    this.parts.set(p.tp, {
      tp: p.tp, topic: p.topic, log, state: p, role: 'follower', leaderEpoch: p.leaderEpoch,
      isr: [], pendingIsr: null, partitionEpoch: p.partitionEpoch, epochStartOffset: 0,
      followers: new Map(), unflushedMessages: prev?.unflushedMessages ?? 0, lastFlushUs: prev?.lastFlushUs ?? 0,
    });
    if (prev?.role === 'leader') this.failDelayedProduces(p.tp, 'NOT_LEADER_OR_FOLLOWER');
    this.removeFromFetchers(p.tp);
    const lp = this.parts.get(p.tp)!;
    if (this.cfg.truncation === 'highWatermark' || (this.cfg.truncation === 'epochNoEpochInResponse' && log.latestEpoch === UNDEFINED_EPOCH)) {
      // Before 0.11 (ReplicaManager.makeFollowers): every new follower truncates to its own high watermark,
      // which after a restart is the last checkpointed one (KIP-101's problem). 0.11-1.x did the same for a
      // log without leader epochs.
      this.truncate(lp, log.hw, 'highWatermark');
    } else if (this.cfg.truncation === 'epochNoEpochInResponse') {
      lp.truncating = true;
    }
    if (p.leader !== NO_LEADER) this.addToFetcher(p.leader, p.tp);
  }

  // ---- messages ------------------------------------------------------------------------------

  private receive(env: Envelope): void {
    switch (env.kind) {
      case 'Produce':
        return this.onProduce(env as Envelope<P.ProduceRequest>);
      case 'Fetch':
        return this.onFetch(env as Envelope<P.FetchRequest>);
      case 'FetchResponse':
        return this.onFetchResponse(env as Envelope<P.FetchResponse>);
      case 'OffsetsForLeaderEpoch':
        return this.onOffsetsForLeaderEpoch(env as Envelope<P.OffsetsForLeaderEpochRequest>);
      case 'OffsetsForLeaderEpochResponse':
        return this.onOffsetsForLeaderEpochResponse(env as Envelope<P.OffsetsForLeaderEpochResponse>);
      case 'Metadata':
        return this.onClientMetadata(env as Envelope<P.MetadataRequest>);
      case 'MetadataFetchResponse':
        return this.onMetadataFetchResponse(env.payload as P.MetadataFetchResponse);
      case 'BrokerHeartbeatResponse':
        return this.onHeartbeatResponse(env.payload as P.BrokerHeartbeatResponse);
      case 'BrokerRegistrationResponse':
        return this.onRegistrationResponse(env.payload as P.BrokerRegistrationResponse);
      case 'AlterPartitionResponse':
        return this.onAlterPartitionResponse(env.payload as P.AlterPartitionResponse);
    }
  }

  private onClientMetadata(env: Envelope<P.MetadataRequest>): void {
    if (this.image === null) return; // not ready: the client times out and tries another broker
    this.net.send<P.MetadataResponse>(this.node, env.from, 'MetadataResponse', 256, { correlationId: env.payload.correlationId, image: this.image });
  }

  // ---- produce (leader) ----------------------------------------------------------------------

  private onProduce(env: Envelope<P.ProduceRequest>): void {
    const req = env.payload;
    const now = this.kernel.now;
    const results: P.ProducePartitionResponse[] = [];
    const required: number[] = [];
    let waiting = 0;
    let appendDoneUs = now;
    for (let i = 0; i < req.data.length; i++) {
      const { tp, batch } = req.data[i];
      const r = this.appendToLeader(tp, batch, req.acks);
      results.push(r.result);
      if (r.doneUs > appendDoneUs) appendDoneUs = r.doneUs;
      const wait = r.result.error === 'NONE' && req.acks === -1 && r.requiredOffset >= 0;
      required.push(wait ? r.requiredOffset : -1);
      if (wait) waiting++;
    }
    if (req.acks === 0) return;
    const dp: DelayedProduce = { env, results, required, waiting, deadlineUs: now + req.timeoutMs * 1000, done: false };
    if (waiting === 0) {
      this.timerAt(appendDoneUs, () => this.respondProduce(dp));
      return;
    }
    this.delayedProduces.push(dp);
    dp.deadline = this.produceDeadlines.add(dp.deadlineUs, dp);
    this.tryCompleteProduce(dp);
  }

  /**
   * Partition.appendRecordsToLeader plus the idempotent producer's sequence checks. Returns the
   * partition's result, when the append is on the page cache (or fsynced), and the offset the HW must
   * pass for acks=all.
   */
  private appendToLeader(tp: string, batch: RecordBatch, acks: number): { result: P.ProducePartitionResponse; doneUs: number; requiredOffset: number } {
    const now = this.kernel.now;
    const lp = this.parts.get(tp);
    const fail = (error: KafkaError) => ({ result: { tp, seq: batch.seq, error, baseOffset: -1 }, doneUs: now, requiredOffset: -1 });
    if (lp === undefined || lp.role !== 'leader') return fail('NOT_LEADER_OR_FOLLOWER');
    const minIsr = Math.min(this.cfg.minIsr(lp.topic), lp.state.replicas.length);
    if (acks === -1 && lp.isr.length < minIsr) return fail('NOT_ENOUGH_REPLICAS');
    const log = lp.log;
    if (batch.idempotent) {
      const recent = log.recentBatchesOf(batch.pid);
      for (const e of recent) {
        if (e.batch.seq === batch.seq && e.batch.count === batch.count) {
          // A retry of a batch already in the log: answer with its original offset, append nothing.
          return { result: { tp, seq: batch.seq, error: 'NONE', baseOffset: e.offset }, doneUs: now, requiredOffset: e.offset + e.batch.count };
        }
      }
      const last = recent.length > 0 ? recent[recent.length - 1].batch : undefined;
      if (last !== undefined && batch.seq !== last.seq + last.count) return fail(batch.seq <= last.seq ? 'DUPLICATE_SEQUENCE_NUMBER' : 'OUT_OF_ORDER_SEQUENCE_NUMBER');
    }
    const entry: LogEntry = { offset: log.leo, epoch: lp.leaderEpoch, batch };
    const doneUs = this.appendLocal(lp, entry, 'produce');
    this.maybeIncrementHw(lp);
    this.wakeFetches(tp);
    return { result: { tp, seq: batch.seq, error: 'NONE', baseOffset: entry.offset }, doneUs, requiredOffset: entry.offset + batch.count };
  }

  /** Append an entry to a local log: page cache write, flush policy, trace. Returns when it is done (µs). */
  private appendLocal(lp: LocalPartition, entry: LogEntry, src: 'produce' | 'fetch'): number {
    const log = lp.log;
    log.append(entry, this.disk.written);
    const b = entry.batch;
    this.trace.emit({ type: 'append', t: this.kernel.now, broker: this.id, tp: lp.tp, offset: entry.offset, count: b.count, epoch: entry.epoch, pid: b.pid, seq: b.seq, bytes: b.bytes, src });
    let doneUs = this.disk.write(log, log.leo, b.bytes);
    lp.unflushedMessages += b.count;
    if (lp.unflushedMessages >= this.cfg.flushMessages(lp.topic)) {
      lp.unflushedMessages = 0;
      lp.lastFlushUs = this.kernel.now;
      doneUs = Math.max(doneUs, this.disk.fsync(log));
    }
    return doneUs;
  }

  private respondProduce(dp: DelayedProduce): void {
    if (dp.done) return;
    dp.done = true;
    if (dp.deadline !== undefined) this.produceDeadlines.cancel(dp.deadline);
    const i = this.delayedProduces.indexOf(dp);
    if (i >= 0) this.delayedProduces.splice(i, 1);
    this.net.send<P.ProduceResponse>(this.node, dp.env.from, 'ProduceResponse', P.REQUEST_OVERHEAD_BYTES + 32 * dp.results.length, { correlationId: dp.env.payload.correlationId, results: dp.results });
  }

  /** DelayedProduce.tryComplete with checkEnoughReplicasReachOffset for each waiting partition. */
  private tryCompleteProduce(dp: DelayedProduce): void {
    for (let i = 0; i < dp.required.length; i++) {
      const required = dp.required[i];
      if (required < 0) continue;
      const lp = this.parts.get(dp.results[i].tp);
      if (lp === undefined || lp.role !== 'leader') {
        this.settle(dp, i, 'NOT_LEADER_OR_FOLLOWER');
      } else if (lp.log.hw >= required) {
        const minIsr = Math.min(this.cfg.minIsr(lp.topic), lp.state.replicas.length);
        this.settle(dp, i, this.maximalIsr(lp).length < minIsr ? 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' : 'NONE');
      }
    }
    if (dp.waiting === 0) this.respondProduce(dp);
  }

  /** One partition of a delayed produce is decided. */
  private settle(dp: DelayedProduce, i: number, error: KafkaError): void {
    if (dp.required[i] < 0) return;
    dp.required[i] = -1;
    dp.waiting--;
    if (error !== 'NONE') dp.results[i] = { ...dp.results[i], error };
  }

  private failDelayedProduces(tp: string, error: KafkaError): void {
    for (const dp of [...this.delayedProduces]) {
      for (let i = 0; i < dp.required.length; i++) if (dp.results[i].tp === tp) this.settle(dp, i, error);
      if (dp.waiting === 0) this.respondProduce(dp);
    }
  }

  // ---- high watermark and ISR (leader) -------------------------------------------------------

  private maximalIsr(lp: LocalPartition): number[] {
    if (lp.pendingIsr === null || lp.pendingIsr.length <= lp.isr.length) return lp.isr;
    return lp.pendingIsr;
  }

  private isCaughtUp(f: FollowerState, leaderLeo: number, now: number): boolean {
    return f.leo === leaderLeo || now - f.lastCaughtUpUs <= this.cfg.replicaLagTimeMaxMs * 1000;
  }

  /** In KRaft: the broker is registered, unfenced and not in controlled shutdown. */
  private isrEligible(b: number): boolean {
    const reg = this.image?.brokers[b];
    return reg !== undefined && !reg.fenced && !reg.inControlledShutdown;
  }

  /** Partition.maybeIncrementLeaderHW (with the 3.7+ min-ISR rule). */
  private maybeIncrementHw(lp: LocalPartition): void {
    const log = lp.log;
    const minIsr = Math.min(this.cfg.minIsr(lp.topic), lp.state.replicas.length);
    if (this.cfg.hwFrozenUnderMinIsr && lp.isr.length < minIsr) return;
    const now = this.kernel.now;
    const maximal = this.maximalIsr(lp);
    let hw = log.leo;
    for (const f of lp.followers.values()) {
      if (f.leo >= hw) continue;
      if (maximal.includes(f.broker) || (this.isCaughtUp(f, log.leo, now) && this.isrEligible(f.broker))) hw = f.leo;
    }
    if (hw > log.hw) this.setHw(lp, hw);
  }

  private setHw(lp: LocalPartition, hw: number): void {
    lp.log.hw = hw;
    this.trace.emit({ type: 'hw', t: this.kernel.now, broker: this.id, tp: lp.tp, hw });
    if (lp.role !== 'leader') return;
    // tryCompleteProduce may remove entries: walk backwards over a stable prefix.
    const dps = this.delayedProduces;
    for (let i = dps.length - 1; i >= 0; i--) if (i < dps.length) this.tryCompleteProduce(dps[i]);
    this.wakeFetches(lp.tp);
  }

  /** The isr-expiration task, every replica.lag.time.max.ms / 2. */
  private isrExpirationLoop(): void {
    const now = this.kernel.now;
    for (const lp of this.parts.values()) {
      if (lp.role !== 'leader' || lp.pendingIsr !== null) continue;
      const out = lp.isr.filter((b) => {
        if (b === this.id) return false;
        const f = lp.followers.get(b);
        return f === undefined || !this.isCaughtUp(f, lp.log.leo, now);
      });
      if (out.length > 0) this.alterIsr(lp, lp.isr.filter((b) => !out.includes(b)));
    }
    this.timer((this.cfg.replicaLagTimeMaxMs * 1000) / 2, () => this.isrExpirationLoop());
  }

  private maybeExpandIsr(lp: LocalPartition, follower: number, f: FollowerState): void {
    if (lp.pendingIsr !== null || lp.isr.includes(follower)) return;
    if (!this.isrEligible(follower)) return;
    if (f.leo >= lp.log.hw && f.leo >= lp.epochStartOffset) this.alterIsr(lp, [...lp.isr, follower]);
  }

  private alterIsr(lp: LocalPartition, newIsr: number[]): void {
    lp.pendingIsr = newIsr;
    this.net.send<P.AlterPartitionRequest>(this.node, 'ctl', 'AlterPartition', 96, {
      broker: this.id, brokerEpoch: this.brokerEpoch, tp: lp.tp, leaderEpoch: lp.leaderEpoch, partitionEpoch: lp.partitionEpoch, newIsr,
    });
    // No answer (controller unreachable): give up this attempt so the next check can try again.
    const pending = newIsr;
    this.timer(this.cfg.replicaSocketTimeoutMs * 1000, () => {
      if (lp.pendingIsr === pending) lp.pendingIsr = null;
    });
  }

  private onAlterPartitionResponse(r: P.AlterPartitionResponse): void {
    const lp = this.parts.get(r.tp);
    if (lp === undefined || lp.role !== 'leader') return;
    lp.pendingIsr = null;
    if (r.error === 'NONE' && r.state !== undefined && r.state.partitionEpoch > lp.partitionEpoch) {
      lp.isr = [...r.state.isr];
      lp.partitionEpoch = r.state.partitionEpoch;
      lp.state = r.state;
    }
    this.maybeIncrementHw(lp);
  }

  // ---- fetch (leader side, for followers and consumers) ----------------------------------------

  private onFetch(env: Envelope<P.FetchRequest>): void {
    const df: DelayedFetch = { env, deadlineUs: this.kernel.now + env.payload.maxWaitMs * 1000, done: false };
    if (this.tryCompleteFetch(df, true)) return;
    this.delayedFetches.push(df);
    df.deadline = this.fetchWaits.add(df.deadlineUs, df);
  }

  private wakeFetches(tp: string): void {
    const dfs = this.delayedFetches;
    for (let i = dfs.length - 1; i >= 0; i--) {
      if (i >= dfs.length) continue;
      const df = dfs[i];
      if (!df.done && df.env.payload.partitions.some((p) => p.tp === tp)) this.tryCompleteFetch(df, false);
    }
  }

  /** Read every partition of the fetch; answer if there is data, an error, or the wait is over. */
  private tryCompleteFetch(df: DelayedFetch, first: boolean, expired = false): boolean {
    if (df.done) return true;
    const req = df.env.payload;
    const out: P.FetchPartitionResponse[] = [];
    let bytes = 0;
    let uncached = 0;
    let urgent = false;
    const cachedFrom = this.disk.cachedFrom;
    for (const fp of req.partitions) {
      const r = this.readPartition(req, fp, first, req.maxBytes - bytes);
      for (const e of r.entries) bytes += e.batch.bytes;
      if (r.entries.length > 0 && cachedFrom > 0) uncached += this.logs.get(fp.tp)!.uncachedBytes(r.entries[0].offset, r.entries.length, cachedFrom);
      if (r.error !== 'NONE' || r.divergingEpoch !== undefined) urgent = true;
      out.push(r);
    }
    if (!urgent && bytes < req.minBytes && !expired) return false;
    df.done = true;
    if (df.deadline !== undefined) this.fetchWaits.cancel(df.deadline);
    const i = this.delayedFetches.indexOf(df);
    if (i >= 0) this.delayedFetches.splice(i, 1);
    const send = () => this.net.send<P.FetchResponse>(this.node, df.env.from, 'FetchResponse', P.REQUEST_OVERHEAD_BYTES + bytes + 16 * out.length, { correlationId: req.correlationId, partitions: out });
    // Data older than the page cache holds comes from the device first (a lagging consumer's read).
    if (uncached > 0) this.timerAt(this.disk.read(uncached), send);
    else send();
    return true;
  }

  private readPartition(req: P.FetchRequest, fp: P.FetchPartition, first: boolean, maxBytes: number): P.FetchPartitionResponse {
    const lp = this.parts.get(fp.tp);
    if (lp === undefined || lp.role !== 'leader') return fetchError(fp.tp, 'NOT_LEADER_OR_FOLLOWER', lp?.log);
    if (fp.currentLeaderEpoch >= 0 && fp.currentLeaderEpoch < lp.leaderEpoch) return fetchError(fp.tp, 'FENCED_LEADER_EPOCH', lp.log);
    if (fp.currentLeaderEpoch > lp.leaderEpoch) return fetchError(fp.tp, 'UNKNOWN_LEADER_EPOCH', lp.log);
    const log = lp.log;
    if (fp.lastFetchedEpoch !== UNDEFINED_EPOCH && !(fp.lastFetchedEpoch === log.latestEpoch && fp.fetchOffset <= log.leo)) {
      const eo = log.endOffsetForEpoch(fp.lastFetchedEpoch);
      if (eo.endOffset === UNDEFINED_OFFSET || eo.epoch === UNDEFINED_EPOCH) return fetchError(fp.tp, 'OFFSET_OUT_OF_RANGE', log);
      if (eo.epoch < fp.lastFetchedEpoch || eo.endOffset < fp.fetchOffset) {
        return { tp: fp.tp, error: 'NONE', highWatermark: log.hw, logEndOffset: log.leo, entries: NO_ENTRIES, divergingEpoch: { epoch: eo.epoch, endOffset: eo.endOffset } };
      }
    }
    if (fp.fetchOffset > log.leo) return fetchError(fp.tp, 'OFFSET_OUT_OF_RANGE', log);
    const isFollower = req.replicaId >= 0;
    if (isFollower && first) this.updateFollowerFetchState(lp, req.replicaId, fp.fetchOffset, log.leo);
    const limit = isFollower ? log.leo : log.hw;
    const entries = fp.fetchOffset >= limit ? NO_ENTRIES : log.read(fp.fetchOffset, limit, Math.min(maxBytes, req.partitionMaxBytes));
    return { tp: fp.tp, error: 'NONE', highWatermark: log.hw, logEndOffset: log.leo, entries };
  }

  /** Partition.updateFollowerFetchState → Replica.updateFetchStateOrThrow, then ISR expand and HW. */
  private updateFollowerFetchState(lp: LocalPartition, follower: number, fetchOffset: number, leaderLeo: number): void {
    const f = lp.followers.get(follower);
    if (f === undefined) return;
    const now = this.kernel.now;
    if (fetchOffset >= leaderLeo) f.lastCaughtUpUs = Math.max(f.lastCaughtUpUs, now);
    else if (fetchOffset >= f.lastFetchLeaderLeo) f.lastCaughtUpUs = Math.max(f.lastCaughtUpUs, f.lastFetchUs);
    const moved = f.leo !== fetchOffset;
    f.leo = fetchOffset;
    f.lastFetchLeaderLeo = Math.max(leaderLeo, f.lastFetchLeaderLeo);
    f.lastFetchUs = now;
    this.maybeExpandIsr(lp, follower, f);
    if (moved) this.maybeIncrementHw(lp);
  }

  // ---- replica fetchers (follower side) ------------------------------------------------------

  private addToFetcher(leader: number, tp: string): void {
    let f = this.fetchers.get(leader);
    if (f === undefined) {
      f = { leader, tps: new Set(), inflight: false, gen: 0 };
      this.fetchers.set(leader, f);
    }
    if (!f.tps.has(tp)) {
      // Kept sorted, so fetch requests list partitions in a stable order.
      f.tps = new Set([...f.tps, tp].sort());
    }
    if (!f.inflight) this.sendFetch(f);
  }

  private removeFromFetchers(tp: string): void {
    for (const f of this.fetchers.values()) f.tps.delete(tp);
  }

  private sendFetch(f: Fetcher): void {
    if (f.inflight || f.tps.size === 0 || this.state === 'down') return;
    // 0.11-1.x (AbstractFetcherThread.maybeTruncate): partitions still truncating ask OffsetsForLeaderEpoch first.
    const truncating = [...f.tps].filter((tp) => this.parts.get(tp)!.truncating === true);
    if (truncating.length > 0) return this.sendOffsetsForLeaderEpoch(f, truncating);
    // Before 2.7 a fetch carried neither lastFetchedEpoch nor (before 2.1) currentLeaderEpoch.
    const epochs = this.cfg.truncation === 'divergingEpoch';
    const partitions: P.FetchPartition[] = [];
    for (const tp of f.tps) {
      const lp = this.parts.get(tp)!;
      partitions.push({ tp, fetchOffset: lp.log.leo, lastFetchedEpoch: epochs ? lp.log.latestEpoch : UNDEFINED_EPOCH, currentLeaderEpoch: epochs ? lp.leaderEpoch : -1 });
    }
    f.inflight = true;
    const gen = ++f.gen;
    this.net.send<P.FetchRequest>(this.node, `b${f.leader}`, 'Fetch', P.REQUEST_OVERHEAD_BYTES + 32 * partitions.length, {
      correlationId: gen, replicaId: this.id, replicaEpoch: this.brokerEpoch, maxWaitMs: this.cfg.replicaFetchWaitMaxMs, minBytes: this.cfg.replicaFetchMinBytes,
      maxBytes: this.cfg.replicaFetchResponseMaxBytes, partitionMaxBytes: this.cfg.replicaFetchMaxBytes, partitions,
    });
    f.timeout = this.fetcherTimeouts.add(this.kernel.now + this.cfg.replicaSocketTimeoutMs * 1000, { fetcher: f, gen });
  }

  private newDeadlines(): Deadlines<DelayedProduce | DelayedFetch | { fetcher: Fetcher; gen: number }> {
    return new Deadlines(this, (x) => this.expire(x));
  }

  /** A purgatory wait or a replica fetch ran out of time. */
  private expire(item: DelayedProduce | DelayedFetch | { fetcher: Fetcher; gen: number }): void {
    if ('fetcher' in item) {
      const f = item.fetcher;
      if (f.gen !== item.gen || !f.inflight) return;
      // No answer: the leader is dead or cut off. Back off, then try again (metadata may move us).
      f.inflight = false;
      f.gen++;
      this.fetchAfterBackoff(f);
    } else if ('results' in item) {
      if (item.done) return;
      for (let i = 0; i < item.required.length; i++) this.settle(item, i, 'REQUEST_TIMED_OUT');
      this.respondProduce(item);
    } else {
      this.tryCompleteFetch(item, false, true);
    }
  }

  private fetchAfterBackoff(f: Fetcher): void {
    const gen = f.gen;
    f.inflight = true;
    this.timer(this.cfg.replicaFetchBackoffMs * 1000, () => {
      if (f.gen !== gen) return;
      f.inflight = false;
      this.sendFetch(f);
    });
  }

  /** The fetcher a reply from `env.from` answers, if it is the one it waits for (and it stops waiting). */
  private takeFetcherReply(env: Envelope<{ correlationId: number }>): Fetcher | undefined {
    const f = this.fetchers.get(Number(env.from.slice(1)));
    if (f === undefined || !f.inflight || env.payload.correlationId !== f.gen) return undefined;
    f.inflight = false;
    if (f.timeout !== undefined) this.fetcherTimeouts.cancel(f.timeout);
    return f;
  }

  private onFetchResponse(env: Envelope<P.FetchResponse>): void {
    const f = this.takeFetcherReply(env);
    if (f === undefined) return;
    const leader = f.leader;
    let backoff = false;
    for (const pr of env.payload.partitions) {
      const lp = this.parts.get(pr.tp);
      if (lp === undefined || lp.role !== 'follower' || lp.state.leader !== leader || !f.tps.has(pr.tp)) continue;
      if (!this.handleFetchedPartition(lp, pr)) backoff = true;
    }
    if (backoff) this.fetchAfterBackoff(f);
    else this.sendFetch(f);
  }

  private sendOffsetsForLeaderEpoch(f: Fetcher, tps: string[]): void {
    f.inflight = true;
    const gen = ++f.gen;
    const partitions = tps.map((tp) => ({ tp, leaderEpoch: this.parts.get(tp)!.log.latestEpoch }));
    this.net.send<P.OffsetsForLeaderEpochRequest>(this.node, `b${f.leader}`, 'OffsetsForLeaderEpoch', P.REQUEST_OVERHEAD_BYTES + 16 * partitions.length, { correlationId: gen, replicaId: this.id, partitions });
    f.timeout = this.fetcherTimeouts.add(this.kernel.now + this.cfg.replicaSocketTimeoutMs * 1000, { fetcher: f, gen });
  }

  /**
   * Leader side of OffsetsForLeaderEpoch as in 0.11-1.x (LeaderEpochFileCache.endOffsetFor): the LEO for the
   * latest epoch, else the start offset of the first later epoch, else undefined. No epoch in the answer.
   */
  private onOffsetsForLeaderEpoch(env: Envelope<P.OffsetsForLeaderEpochRequest>): void {
    const out = env.payload.partitions.map(({ tp, leaderEpoch }) => {
      const lp = this.parts.get(tp);
      if (lp === undefined || lp.role !== 'leader') return { tp, error: 'NOT_LEADER_OR_FOLLOWER' as KafkaError, endOffset: UNDEFINED_OFFSET };
      if (env.payload.replicaId < 0) {
        // A consumer validating its position (KIP-320): the modern answer, with the epoch.
        const eo = lp.log.endOffsetForEpoch(leaderEpoch);
        return { tp, error: 'NONE' as KafkaError, endOffset: eo.endOffset, leaderEpoch: eo.epoch };
      }
      return { tp, error: 'NONE' as KafkaError, endOffset: endOffsetWithoutEpoch(lp.log, leaderEpoch) };
    });
    this.net.send<P.OffsetsForLeaderEpochResponse>(this.node, env.from, 'OffsetsForLeaderEpochResponse', P.REQUEST_OVERHEAD_BYTES + 16 * out.length, { correlationId: env.payload.correlationId, partitions: out });
  }

  /** Follower side (ReplicaFetcherThread.maybeTruncate, 1.x): truncate once, then fetch without further checks. */
  private onOffsetsForLeaderEpochResponse(env: Envelope<P.OffsetsForLeaderEpochResponse>): void {
    const f = this.takeFetcherReply(env);
    if (f === undefined) return;
    const leader = f.leader;
    let backoff = false;
    for (const pr of env.payload.partitions) {
      const lp = this.parts.get(pr.tp);
      if (lp === undefined || lp.role !== 'follower' || lp.state.leader !== leader || !f.tps.has(pr.tp) || lp.truncating !== true) continue;
      if (pr.error !== 'NONE') {
        backoff = true;
        continue;
      }
      if (pr.endOffset === UNDEFINED_OFFSET) this.truncate(lp, lp.log.hw, 'highWatermark');
      else this.truncate(lp, Math.min(pr.endOffset, lp.log.leo), 'divergingEpoch');
      lp.truncating = false;
    }
    if (backoff) this.fetchAfterBackoff(f);
    else this.sendFetch(f);
  }

  /** Apply one partition of a fetch response. Returns false when the fetcher should back off. */
  private handleFetchedPartition(lp: LocalPartition, pr: P.FetchPartitionResponse): boolean {
    const log = lp.log;
    if (pr.error === 'OFFSET_OUT_OF_RANGE' && pr.logEndOffset >= 0 && pr.logEndOffset < log.leo) {
      // The leader has less than us and no epoch to compare: truncate to its end (unclean case).
      this.truncate(lp, pr.logEndOffset, 'divergingEpoch');
      return true;
    }
    if (pr.error !== 'NONE') return false;
    if (pr.divergingEpoch !== undefined) {
      this.truncate(lp, this.truncationOffset(log, pr.divergingEpoch), 'divergingEpoch');
      return true;
    }
    for (const e of pr.entries) {
      if (e.offset < log.leo) {
        // Before 0.11 (message format v0/v1, uncompressed) a log held single messages, so a fetch returned
        // exactly the messages from the fetch offset on: take the part of a straddling batch we lack.
        if (this.cfg.truncation === 'highWatermark' && e.offset + e.batch.count > log.leo) this.appendLocal(lp, sliceEntry(e, log.leo - e.offset), 'fetch');
        continue; // already have it (a batch straddling the fetch offset)
      }
      if (e.offset > log.leo) break; // our log moved (truncated) since the request: refetch
      this.appendLocal(lp, e, 'fetch');
    }
    const hw = Math.min(pr.highWatermark, log.leo);
    if (hw > log.hw) this.setHw(lp, hw);
    return true;
  }

  /** AbstractFetcherThread.getOffsetTruncationState for a response with a diverging epoch. */
  private truncationOffset(log: PartitionLog, leader: { epoch: number; endOffset: number }): number {
    if (leader.endOffset === UNDEFINED_OFFSET) return log.leo;
    if (leader.epoch === UNDEFINED_EPOCH) return Math.min(leader.endOffset, log.leo);
    const mine = log.endOffsetForEpoch(leader.epoch);
    if (mine.endOffset === UNDEFINED_OFFSET) return Math.min(leader.endOffset, log.leo);
    if (mine.epoch !== leader.epoch) return Math.min(mine.endOffset, log.leo);
    return Math.min(mine.endOffset, leader.endOffset, log.leo);
  }

  private truncate(lp: LocalPartition, to: number, reason: 'divergingEpoch' | 'highWatermark'): void {
    const removed = lp.log.truncateTo(to);
    if (removed > 0) this.trace.emit({ type: 'truncate', t: this.kernel.now, broker: this.id, tp: lp.tp, to: lp.log.leo, removed, reason });
  }

  // ---- periodic tasks ------------------------------------------------------------------------

  private checkpointHwLoop(): void {
    for (const log of this.logs.values()) log.hwCheckpoint = log.hw;
    this.timer(5_000_000, () => this.checkpointHwLoop());
  }

  /** LogManager's flush-log task: fsync logs whose last flush is older than their flush.ms. */
  private flushLoop(): void {
    const now = this.kernel.now;
    for (const lp of this.parts.values()) {
      if (lp.log.durableOffset < lp.log.leo && now - lp.lastFlushUs >= this.cfg.flushMs(lp.topic) * 1000) {
        lp.unflushedMessages = 0;
        lp.lastFlushUs = now;
        this.disk.fsync(lp.log);
      }
    }
    this.timer(this.flushPeriodUs, () => this.flushLoop());
  }

  // ---- views for faults, the summary and tests -----------------------------------------------

  /** Whether this broker leads `tp` right now (its own view). */
  leads(tp: string): boolean {
    return this.parts.get(tp)?.role === 'leader' && this.alive;
  }
}

const NO_ENTRIES: LogEntry[] = [];

/** The records of an entry from its `skip`-th on, as an entry of their own (same producer, epoch, times). */
function sliceEntry(e: LogEntry, skip: number): LogEntry {
  const b = e.batch;
  const count = b.count - skip;
  return { offset: e.offset + skip, epoch: e.epoch, batch: { ...b, seq: b.seq + skip, count, bytes: Math.max(1, Math.round((b.bytes * count) / b.count)), createUs: b.createUs.slice(skip, b.count) } };
}

/** LeaderEpochFileCache.endOffsetFor as in 0.11-1.x, before KIP-279 added the epoch to the answer. */
function endOffsetWithoutEpoch(log: PartitionLog, epoch: number): number {
  if (epoch === UNDEFINED_EPOCH) return UNDEFINED_OFFSET;
  if (epoch === log.latestEpoch) return log.leo;
  const eps = log.epochs;
  const later = eps.find((e) => e.epoch > epoch);
  if (later === undefined || eps.length === 0 || epoch < eps[0]!.epoch) return UNDEFINED_OFFSET;
  return later.startOffset;
}

function fetchError(tp: string, error: KafkaError, log: PartitionLog | undefined): P.FetchPartitionResponse {
  return { tp, error, highWatermark: log?.hw ?? -1, logEndOffset: log?.leo ?? -1, entries: NO_ENTRIES };
}
