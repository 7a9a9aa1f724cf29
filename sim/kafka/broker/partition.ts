/**
 * One partition replica on one broker, following Kafka's Partition.scala (with Replica.scala's follower
 * state): the leader's view of its followers, the high watermark, ISR shrink and expand through
 * AlterPartition, appends (appendRecordsToLeader, and the follower's appends) and the leader side of a
 * fetch (fetchRecords: epoch checks, diverging epoch, follower fetch state). Split from the broker
 * because Kafka keeps this per-partition state machine in its own class; the broker owns the
 * partitions through its ReplicaManager.
 */
import type { BrokerContext } from './context.js';
import type { PartitionState } from '../metadata.js';
import { UNDEFINED_EPOCH, UNDEFINED_OFFSET, type LogEntry, type PartitionLog, type RecordBatch } from '../partition-log.js';
import type * as P from '../protocol.js';
import type { KafkaError } from '../../trace/events.js';

/** A follower as its leader sees it (Replica.scala's ReplicaState). */
export interface FollowerState {
  broker: number;
  leo: number;
  lastCaughtUpUs: number;
  lastFetchUs: number;
  lastFetchLeaderLeo: number;
}

/** Partition.appendRecordsToLeader's answer: the result, when the append is done (µs), the offset acks=all waits for. */
export interface LeaderAppend {
  result: P.ProducePartitionResponse;
  doneUs: number;
  requiredOffset: number;
}

export const NO_ENTRIES: LogEntry[] = [];

/** The partitions a broker hosts, as its fetcher and purgatories look them up (ReplicaManager). */
export interface HostedPartitions {
  getPartition(tp: string): Partition | undefined;
  /** Changes whenever the hosted partitions do (a cached getPartition answer is good while it does not). */
  readonly generation: number;
  /** The partition if this broker leads it. */
  leaderPartition(tp: string): Partition | undefined;
  /** HostedPartition.Offline: its log directory failed (requests for it get KAFKA_STORAGE_ERROR). */
  isOffline(tp: string): boolean;
}

/** A partition replica's runtime role on this broker (lost when the process dies). */
export class Partition {
  /** Leader only: committed ISR, the pending AlterPartition (if any) and followers' states. */
  isr: number[];
  pendingIsr: number[] | null = null;
  partitionEpoch: number;
  /** Follower, `epochNoEpochInResponse` only: OffsetsForLeaderEpoch still to be asked before fetching. */
  truncating?: boolean;
  /** The topic's min.insync.replicas, looked up on first use (-1 until then): it is read on every append. */
  private topicMinIsr = -1;
  /** The topic's flush.messages, looked up on first use (-1 until then). */
  private topicFlushMessages = -1;

  constructor(
    private readonly broker: BrokerContext,
    readonly tp: string,
    readonly topic: string,
    readonly log: PartitionLog,
    public state: PartitionState,
    readonly role: 'leader' | 'follower',
    readonly leaderEpoch: number,
    isr: number[],
    readonly epochStartOffset: number,
    readonly followers: Map<number, FollowerState>,
    public unflushedMessages: number,
    public lastFlushUs: number,
  ) {
    this.isr = isr;
    this.partitionEpoch = state.partitionEpoch;
  }

  /** min.insync.replicas, capped by the replication factor. */
  private minIsr(): number {
    if (this.topicMinIsr < 0) this.topicMinIsr = this.broker.cfg.minIsr(this.topic);
    return Math.min(this.topicMinIsr, this.state.replicas.length);
  }

  // ---- leadership ----------------------------------------------------------------------------

  /** A new image with the same leader epoch: take a newer ISR (partition epoch) from it. */
  updateLeaderState(p: PartitionState): void {
    // Partition.updateAssignmentAndIsr: replicas a reassignment adds get a follower state, removed ones lose it.
    if (p.replicas !== this.state.replicas) this.updateFollowers(p.replicas);
    this.state = p;
    if (p.partitionEpoch > this.partitionEpoch) {
      this.isr = [...p.isr];
      this.partitionEpoch = p.partitionEpoch;
      this.pendingIsr = null;
      this.maybeIncrementHw();
    }
  }

  private updateFollowers(replicas: readonly number[]): void {
    for (const b of this.followers.keys()) if (!replicas.includes(b)) this.followers.delete(b);
    for (const r of replicas) {
      if (r !== this.broker.id && !this.followers.has(r)) this.followers.set(r, { broker: r, leo: -1, lastCaughtUpUs: -Infinity, lastFetchUs: -Infinity, lastFetchLeaderLeo: -1 });
    }
  }

  // ---- appends -------------------------------------------------------------------------------

  /**
   * Partition.appendRecordsToLeader (min.insync.replicas, then the log's max.message.bytes) plus the idempotent producer's sequence checks (ProducerStateEntry,
   * ProducerAppendInfo.checkSequence). Returns the
   * partition's result, when the append is on the page cache (or fsynced), and the offset the HW must
   * pass for acks=all.
   */
  appendRecordsToLeader(batch: RecordBatch, acks: number): LeaderAppend {
    const now = this.broker.kernel.now;
    const tp = this.tp;
    if (acks === -1 && this.isr.length < this.minIsr()) return failedAppend(tp, batch.seq, now, 'NOT_ENOUGH_REPLICAS');
    // UnifiedLog.analyzeAndValidateRecords: a batch over the topic's max.message.bytes is refused with
    // RecordTooLargeException, answered as MESSAGE_TOO_LARGE (followers do not check: ignoreRecordSize).
    if (batch.bytes > this.broker.cfg.maxMessageBytes(this.topic)) return failedAppend(tp, batch.seq, now, 'MESSAGE_TOO_LARGE');
    const log = this.log;
    if (batch.idempotent) {
      const st = log.producerState(batch.pid);
      if (st !== undefined) {
        // UnifiedLog.analyzeAndValidateProducerState: a retry of one of the last 5 batches is not appended
        // again; the answer carries the original batch's offsets and no error.
        const dup = st.findDuplicateBatch(batch.seq, batch.count);
        if (dup !== undefined) {
          // Partition.appendRecordsToLeader tries the high watermark after every append, a duplicate's too.
          this.maybeIncrementHw();
          return { result: { tp, seq: batch.seq, error: 'NONE', baseOffset: dup.offset }, doneUs: now, requiredOffset: dup.offset + dup.batch.count };
        }
        // ProducerAppendInfo.checkSequence: anything but lastSeq + 1 (an older batch no longer kept too).
        const last = st.last().batch;
        if (batch.seq !== last.seq + last.count) return failedAppend(tp, batch.seq, now, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
      }
    }
    const entry: LogEntry = { offset: log.leo, epoch: this.leaderEpoch, batch };
    const doneUs = this.appendLocal(entry, 'produce');
    this.maybeIncrementHw();
    this.broker.replicaManager.fetchPurgatory.wake(tp);
    return { result: { tp, seq: batch.seq, error: 'NONE', baseOffset: entry.offset }, doneUs, requiredOffset: entry.offset + batch.count };
  }

  /** Append an entry to the local log: page cache write, flush policy, trace. Returns when it is done (µs). */
  appendLocal(entry: LogEntry, src: 'produce' | 'fetch'): number {
    const log = this.log;
    const broker = this.broker;
    const disk = broker.disk;
    log.append(entry, disk.written);
    const b = entry.batch;
    broker.trace.append(broker.kernel.now, broker.id, this.tp, entry.offset, b.count, entry.epoch, b.pid, b.seq, b.bytes, src);
    let doneUs = disk.write(log, log.leo, b.bytes);
    this.unflushedMessages += b.count;
    if (this.topicFlushMessages < 0) this.topicFlushMessages = broker.cfg.flushMessages(this.topic);
    if (this.unflushedMessages >= this.topicFlushMessages) {
      this.unflushedMessages = 0;
      this.lastFlushUs = broker.kernel.now;
      doneUs = Math.max(doneUs, disk.fsync(log));
    }
    return doneUs;
  }

  truncate(to: number, reason: 'divergingEpoch' | 'highWatermark' | 'leaderEndOffset'): void {
    const removed = this.log.truncateTo(to);
    if (removed > 0) this.broker.trace.emit({ type: 'truncate', t: this.broker.kernel.now, broker: this.broker.id, tp: this.tp, to: this.log.leo, removed, reason });
  }

  // ---- high watermark and ISR (leader) -------------------------------------------------------

  /** The ISR including a pending expansion (Kafka's maximal ISR). */
  maximalIsr(): number[] {
    if (this.pendingIsr === null || this.pendingIsr.length <= this.isr.length) return this.isr;
    return this.pendingIsr;
  }

  /** acks=all: the ISR is now below min.insync.replicas (NOT_ENOUGH_REPLICAS_AFTER_APPEND). */
  underMinIsrAfterAppend(): boolean {
    return this.maximalIsr().length < this.minIsr();
  }

  private isCaughtUp(f: FollowerState, leaderLeo: number, now: number): boolean {
    return f.leo === leaderLeo || now - f.lastCaughtUpUs <= this.broker.cfg.replicaLagTimeMaxMs * 1000;
  }

  /** In KRaft: the broker is registered, unfenced and not in controlled shutdown. */
  private isrEligible(b: number): boolean {
    const reg = this.broker.image?.brokers[b];
    return reg !== undefined && !reg.fenced && !reg.inControlledShutdown;
  }

  /** Partition.maybeIncrementLeaderHW (with the 3.7+ min-ISR rule). */
  maybeIncrementHw(): void {
    const log = this.log;
    if (this.broker.cfg.hwFrozenUnderMinIsr && this.isr.length < this.minIsr()) return;
    const now = this.broker.kernel.now;
    const maximal = this.maximalIsr();
    let hw = log.leo;
    for (const f of this.followers.values()) {
      if (f.leo >= hw) continue;
      if (maximal.includes(f.broker) || (this.isCaughtUp(f, log.leo, now) && this.isrEligible(f.broker))) hw = f.leo;
    }
    if (hw > log.hw) this.setHw(hw);
  }

  setHw(hw: number): void {
    this.log.hw = hw;
    this.broker.trace.hw(this.broker.kernel.now, this.broker.id, this.tp, hw);
    const rm = this.broker.replicaManager;
    // A follower's new HW may complete consumers' fetches waiting on it (KIP-392, ReplicaFetcherThread.completeDelayedFetchRequests).
    if (this.role !== 'leader') return rm.fetchPurgatory.wake(this.tp, true);
    rm.producePurgatory.checkAll();
    rm.fetchPurgatory.wake(this.tp);
  }

  /** Partition.maybeShrinkIsr: drop followers that are not caught up (run by the isr-expiration task). */
  maybeShrinkIsr(now: number): void {
    if (this.role !== 'leader' || this.pendingIsr !== null) return;
    const out = this.isr.filter((b) => {
      if (b === this.broker.id) return false;
      const f = this.followers.get(b);
      return f === undefined || !this.isCaughtUp(f, this.log.leo, now);
    });
    if (out.length > 0) this.alterIsr(this.isr.filter((b) => !out.includes(b)));
  }

  private maybeExpandIsr(follower: number, f: FollowerState): void {
    if (this.pendingIsr !== null || this.isr.includes(follower)) return;
    if (!this.isrEligible(follower)) return;
    if (f.leo >= this.log.hw && f.leo >= this.epochStartOffset) this.alterIsr([...this.isr, follower]);
  }

  private alterIsr(newIsr: number[]): void {
    const broker = this.broker;
    this.pendingIsr = newIsr;
    broker.net.send<P.AlterPartitionRequest>(
      broker.node,
      'ctl',
      'AlterPartition',
      96,
      { broker: broker.id, brokerEpoch: broker.brokerEpoch, tp: this.tp, leaderEpoch: this.leaderEpoch, partitionEpoch: this.partitionEpoch, newIsr },
      'alterPartition',
    );
    // No answer (controller unreachable): close the AlterPartition channel's connection (what it held is
    // discarded) and give up this attempt so the next check can try again.
    const pending = newIsr;
    broker.timer(broker.cfg.replicaSocketTimeoutMs * 1000, () => {
      if (this.pendingIsr !== pending) return;
      broker.net.close(broker.node, 'ctl', 'AlterPartition timed out', 'alterPartition');
      this.pendingIsr = null;
    });
  }

  onAlterPartitionResponse(r: P.AlterPartitionResponse): void {
    this.pendingIsr = null;
    if (r.error === 'NONE' && r.state !== undefined && r.state.partitionEpoch > this.partitionEpoch) {
      this.isr = [...r.state.isr];
      this.partitionEpoch = r.state.partitionEpoch;
      this.state = r.state;
    }
    this.maybeIncrementHw();
  }

  // ---- fetch (leader side) -------------------------------------------------------------------

  /**
   * Whether fetchRecords answers `fp` without reading (an epoch error, a diverging epoch, an offset out of
   * range, a preferred read replica): the checks it makes first, in its order, without their answer.
   */
  private answersWithoutReading(req: P.FetchRequest, fp: P.FetchPartition): boolean {
    if (fp.currentLeaderEpoch >= 0 && fp.currentLeaderEpoch !== this.leaderEpoch) return true;
    const log = this.log;
    if (fp.lastFetchedEpoch !== UNDEFINED_EPOCH && !(fp.lastFetchedEpoch === log.latestEpoch && fp.fetchOffset <= log.leo)) {
      const eo = log.endOffsetForEpoch(fp.lastFetchedEpoch);
      if (eo.endOffset === UNDEFINED_OFFSET || eo.epoch === UNDEFINED_EPOCH || eo.epoch < fp.lastFetchedEpoch || eo.endOffset < fp.fetchOffset) return true;
    }
    if (fp.fetchOffset > log.leo) return true;
    return req.rackId !== undefined && req.replicaId < 0 && this.role === 'leader' && this.broker.cfg.rackAwareReplicaSelector && this.preferredReadReplica(fp.fetchOffset, req.rackId) >= 0;
  }

  /**
   * fetchRecords without building its answer: the same checks and (`first`) the same update of the
   * follower's fetch state, then the bytes it would read; -1 when it answers without reading, -2 when the
   * bytes cannot be told cheaply (a read of the cold part). The fetch purgatory asks this first: most
   * tries of a fetch find nothing to send yet, and then nothing is built. It counts no further than
   * `enough` (what the fetch still lacks of fetch.min.bytes).
   */
  fetchBytes(req: P.FetchRequest, fp: P.FetchPartition, first: boolean, maxBytes: number, enough: number): number {
    if (this.answersWithoutReading(req, fp)) return -1;
    const log = this.log;
    const isFollower = req.replicaId >= 0;
    if (isFollower && first) this.updateFollowerFetchState(req.replicaId, fp.fetchOffset, log.leo);
    // The fetch already has what it waits for (from earlier partitions): nothing to count.
    if (enough <= 0) return 0;
    const limit = isFollower ? log.leo : log.hw;
    return fp.fetchOffset >= limit ? 0 : log.readBytes(fp.fetchOffset, limit, Math.min(maxBytes, req.partitionMaxBytes), enough);
  }

  /** Partition.fetchRecords: epoch checks, diverging epoch, the follower's fetch state, then the read. */
  fetchRecords(req: P.FetchRequest, fp: P.FetchPartition, first: boolean, maxBytes: number): P.FetchPartitionResponse {
    if (fp.currentLeaderEpoch >= 0 && fp.currentLeaderEpoch < this.leaderEpoch) return fetchError(fp.tp, 'FENCED_LEADER_EPOCH', this.log);
    if (fp.currentLeaderEpoch > this.leaderEpoch) return fetchError(fp.tp, 'UNKNOWN_LEADER_EPOCH', this.log);
    const log = this.log;
    if (fp.lastFetchedEpoch !== UNDEFINED_EPOCH && !(fp.lastFetchedEpoch === log.latestEpoch && fp.fetchOffset <= log.leo)) {
      const eo = log.endOffsetForEpoch(fp.lastFetchedEpoch);
      if (eo.endOffset === UNDEFINED_OFFSET || eo.epoch === UNDEFINED_EPOCH) return fetchError(fp.tp, 'OFFSET_OUT_OF_RANGE', log);
      if (eo.epoch < fp.lastFetchedEpoch || eo.endOffset < fp.fetchOffset) {
        return { tp: fp.tp, error: 'NONE', highWatermark: log.hw, logEndOffset: log.leo, entries: NO_ENTRIES, divergingEpoch: { epoch: eo.epoch, endOffset: eo.endOffset } };
      }
    }
    if (fp.fetchOffset > log.leo) return fetchError(fp.tp, 'OFFSET_OUT_OF_RANGE', log);
    if (req.rackId !== undefined && req.replicaId < 0 && this.role === 'leader' && this.broker.cfg.rackAwareReplicaSelector) {
      const preferred = this.preferredReadReplica(fp.fetchOffset, req.rackId);
      if (preferred >= 0) return { tp: fp.tp, error: 'NONE', highWatermark: log.hw, logEndOffset: log.leo, entries: NO_ENTRIES, preferredReadReplica: preferred };
    }
    const isFollower = req.replicaId >= 0;
    // Partition.followerReplicaOrThrow: a replica this leader does not know yet (its metadata is behind the
    // follower's, as at the start of a reassignment) gets UNKNOWN_LEADER_EPOCH (NOT_LEADER_OR_FOLLOWER from a
    // fetch without a leader epoch) and retries after a backoff.
    if (isFollower && !this.followers.has(req.replicaId)) return fetchError(fp.tp, fp.currentLeaderEpoch >= 0 ? 'UNKNOWN_LEADER_EPOCH' : 'NOT_LEADER_OR_FOLLOWER', log);
    if (isFollower && first) this.updateFollowerFetchState(req.replicaId, fp.fetchOffset, log.leo);
    const limit = isFollower ? log.leo : log.hw;
    const rate = isFollower ? this.throttledRate(req.replicaId) : -1;
    const now = this.broker.kernel.now;
    if (rate >= 0 && this.broker.replicaManager.leaderQuota.exceeded(now, rate)) return { tp: fp.tp, error: 'NONE', highWatermark: log.hw, logEndOffset: log.leo, entries: NO_ENTRIES };
    const entries = fp.fetchOffset >= limit ? NO_ENTRIES : log.read(fp.fetchOffset, limit, Math.min(maxBytes, req.partitionMaxBytes));
    if (rate >= 0 && entries.length > 0) this.broker.replicaManager.leaderQuota.record(now, rate, entryBytes(entries));
    return { tp: fp.tp, error: 'NONE', highWatermark: log.hw, logEndOffset: log.leo, entries };
  }

  /**
   * ReplicaManager.shouldLeaderThrottle: a follower out of the ISR fetching a partition under reassignment
   * (the replicas kafka-reassign-partitions lists in leader.replication.throttled.replicas) is throttled
   * when this broker has leader.replication.throttled.rate. Its rate in bytes/s, or -1: not throttled.
   */
  private throttledRate(follower: number): number {
    const st = this.state;
    if (st.addingReplicas.length === 0 && st.removingReplicas.length === 0) return -1;
    if (this.isr.includes(follower)) return -1;
    return this.broker.image?.throttledRates[this.broker.id] ?? -1;
  }

  /**
   * ReplicaManager.findPreferredReadReplica with RackAwareReplicaSelector (KIP-392): among the leader and
   * the in-sync followers that have `fetchOffset`, the leader if it is in the client's rack, else the
   * most caught-up replica in that rack (highest LEO, then most recently caught up; ties: lowest id).
   * -1: read from the leader.
   */
  private preferredReadReplica(fetchOffset: number, rack: string): number {
    const rackOf = this.broker.cfg.rackOf;
    if (rack === '' || rackOf(this.broker.id) === rack) return -1;
    let best: FollowerState | undefined;
    for (const f of this.followers.values()) {
      if (!this.isr.includes(f.broker) || f.leo < fetchOffset || rackOf(f.broker) !== rack) continue;
      if (best === undefined || f.leo > best.leo || (f.leo === best.leo && (f.lastCaughtUpUs > best.lastCaughtUpUs || (f.lastCaughtUpUs === best.lastCaughtUpUs && f.broker < best.broker)))) best = f;
    }
    return best === undefined ? -1 : best.broker;
  }

  /** Partition.updateFollowerFetchState → Replica.updateFetchStateOrThrow, then ISR expand and HW. */
  private updateFollowerFetchState(follower: number, fetchOffset: number, leaderLeo: number): void {
    const f = this.followers.get(follower);
    if (f === undefined) return;
    const now = this.broker.kernel.now;
    if (fetchOffset >= leaderLeo) f.lastCaughtUpUs = Math.max(f.lastCaughtUpUs, now);
    else if (fetchOffset >= f.lastFetchLeaderLeo) f.lastCaughtUpUs = Math.max(f.lastCaughtUpUs, f.lastFetchUs);
    const moved = f.leo !== fetchOffset;
    f.leo = fetchOffset;
    f.lastFetchLeaderLeo = Math.max(leaderLeo, f.lastFetchLeaderLeo);
    f.lastFetchUs = now;
    this.maybeExpandIsr(follower, f);
    if (moved) this.maybeIncrementHw();
  }
}

/** appendRecordsToLeader's answer for a batch it refuses. */
function failedAppend(tp: string, seq: number, now: number, error: KafkaError): LeaderAppend {
  return { result: { tp, seq, error, baseOffset: -1 }, doneUs: now, requiredOffset: -1 };
}

function entryBytes(entries: readonly LogEntry[]): number {
  let n = 0;
  for (const e of entries) n += e.batch.bytes;
  return n;
}

export function fetchError(tp: string, error: KafkaError, log: PartitionLog | undefined): P.FetchPartitionResponse {
  return { tp, error, highWatermark: log?.hw ?? -1, logEndOffset: log?.leo ?? -1, entries: NO_ENTRIES };
}
