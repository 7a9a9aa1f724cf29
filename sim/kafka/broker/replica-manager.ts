/**
 * The broker's replicas, following Kafka's ReplicaManager: it holds the partitions this broker hosts,
 * turns metadata into leader and follower roles (applyDelta → makeLeaders / makeFollowers), handles
 * produce and fetch with their purgatories (DelayedProduce, DelayedFetch), the leader side of
 * OffsetsForLeaderEpoch, and runs the isr-expiration task. Split from the broker because Kafka keeps
 * request handling for replicas here, apart from the broker's lifecycle.
 */
import type { BrokerContext, Purgatories } from './context.js';
import { FetchPurgatory } from './delayed-fetch.js';
import { NO_LEADER, type MetadataImage, type PartitionState } from '../metadata.js';
import type { Envelope } from '../../resources/network.js';
import { Partition, type FollowerState, type HostedPartitions, type LeaderAppend } from './partition.js';
import { UNDEFINED_EPOCH, UNDEFINED_OFFSET, type PartitionLog } from '../partition-log.js';
import { ProducePurgatory, type DelayedProduce } from './delayed-produce.js';
import * as P from '../protocol.js';
import { ReplicaFetcherManager } from './replica-fetcher.js';
import { ReplicationQuota } from './replication-quota.js';
import type { KafkaError } from '../../trace/events.js';
import { OFFSETS_TOPIC } from '../group/messages.js';

export class ReplicaManager implements HostedPartitions, Purgatories {
  /** Partitions hosted here, by name (Kafka's allPartitions). */
  allPartitions = new Map<string, Partition>();
  /** Bumped whenever allPartitions changes: lookups cached under an older value are stale. */
  generation = 0;
  readonly producePurgatory: ProducePurgatory;
  readonly fetchPurgatory: FetchPurgatory;
  readonly fetcherManager: ReplicaFetcherManager;
  /** Told when this broker starts or stops leading a __consumer_offsets partition (the group coordinator). */
  onCoordinatorPartition: (tp: string, leader: boolean) => void = () => {};
  /** leader.replication.throttled.rate's quota: a new process starts with a fresh one. */
  leaderQuota = new ReplicationQuota();

  constructor(private readonly broker: BrokerContext) {
    this.producePurgatory = new ProducePurgatory(broker, this);
    this.fetchPurgatory = new FetchPurgatory(broker, this);
    this.fetcherManager = new ReplicaFetcherManager(broker, this);
  }

  /** A new process incarnation: roles, fetchers and waiting requests are gone (the logs stay). */
  reset(): void {
    this.allPartitions = new Map();
    this.generation++;
    this.leaderQuota = new ReplicationQuota();
    this.fetcherManager.reset();
    this.producePurgatory.reset();
    this.fetchPurgatory.reset();
  }

  getPartition(tp: string): Partition | undefined {
    return this.allPartitions.get(tp);
  }

  /** HostedPartition.Offline: the broker's replica of `tp` was in a failed log directory (Broker.offlineTps). */
  isOffline(tp: string): boolean {
    return this.broker.offlineTps.has(tp);
  }

  /**
   * ReplicaManager.handleLogDirFailure: every partition of log directory `dir` stops fetching and leading
   * and goes offline here (requests for it get KAFKA_STORAGE_ERROR); the fetches waiting on it are answered.
   * The broker tells the controller in a heartbeat sent at once (lifecycle: propagateDirectoryFailure).
   */
  handleLogDirFailure(dir: number): void {
    for (const [tp, lp] of [...this.allPartitions]) {
      if (lp.log.dir !== dir) continue;
      this.fetcherManager.removeFromFetchers(tp);
      if (lp.role === 'leader') this.producePurgatory.failPartition(tp, 'KAFKA_STORAGE_ERROR');
      if (lp.role === 'leader' && lp.topic === OFFSETS_TOPIC) this.onCoordinatorPartition(tp, false);
      this.allPartitions.delete(tp);
      this.generation++;
      this.fetchPurgatory.wake(tp);
    }
  }

  /** The partition if this broker leads it. */
  leaderPartition(tp: string): Partition | undefined {
    const lp = this.allPartitions.get(tp);
    return lp === undefined || lp.role !== 'leader' ? undefined : lp;
  }

  // ---- metadata → roles ----------------------------------------------------------------------

  /** ReplicaManager.applyDelta: the partitions of a new image whose role or leader changed. */
  applyDelta(old: MetadataImage | null, img: MetadataImage): void {
    const id = this.broker.id;
    for (const tp in img.partitions) {
      const p = img.partitions[tp];
      if (!p.replicas.includes(id)) {
        if (this.allPartitions.has(tp) || this.broker.logs.has(tp)) this.stopReplica(tp);
        this.broker.offlineTps.delete(tp);
        continue;
      }
      // getOrCreatePartition: an offline partition stays offline whatever the metadata says.
      if (this.isOffline(tp)) continue;
      if (old !== null && old.partitions[tp] === p && this.allPartitions.has(tp)) continue;
      const cur = this.allPartitions.get(tp);
      if (p.leader === id) {
        if (cur === undefined || cur.role !== 'leader' || cur.leaderEpoch !== p.leaderEpoch) this.makeLeader(p);
        else cur.updateLeaderState(p);
      } else if (cur === undefined || cur.role !== 'follower' || cur.leaderEpoch !== p.leaderEpoch || cur.state.leader !== p.leader) {
        this.makeFollower(p);
      } else {
        cur.state = p;
      }
    }
    this.fetcherManager.startFetchers();
  }

  /**
   * ReplicaManager.applyDelta's deleted replicas (stopPartitions with deletion, as StopReplica delete=true
   * did): a replica this broker no longer hosts (a reassignment moved it away) stops fetching and leading,
   * and its log is deleted.
   */
  private stopReplica(tp: string): void {
    const prev = this.allPartitions.get(tp);
    this.fetcherManager.removeFromFetchers(tp);
    if (prev?.role === 'leader') this.producePurgatory.failPartition(tp, 'NOT_LEADER_OR_FOLLOWER');
    this.allPartitions.delete(tp);
    this.generation++;
    this.broker.logs.delete(tp);
  }

  private makeLeader(p: PartitionState): void {
    const b = this.broker;
    const log = b.logFor(p.tp);
    this.fetcherManager.removeFromFetchers(p.tp);
    // Since 2.1 (KAFKA-7415) a new leader records its epoch's start at once; before, only its first append did.
    if (b.cfg.truncation === 'divergingEpoch') log.assignEpoch(p.leaderEpoch, log.leo);
    const followers = new Map<number, FollowerState>();
    const now = b.kernel.now;
    for (const r of p.replicas) {
      if (r === b.id) continue;
      // resetReplicaState: in-sync followers count as caught up now; their LEO is unknown until they fetch.
      followers.set(r, { broker: r, leo: -1, lastCaughtUpUs: p.isr.includes(r) ? now : -Infinity, lastFetchUs: -Infinity, lastFetchLeaderLeo: -1 });
    }
    const prev = this.allPartitions.get(p.tp);
    const lp = new Partition(b, p.tp, p.topic, log, p, 'leader', p.leaderEpoch, [...p.isr], log.leo, followers, prev?.unflushedMessages ?? 0, prev?.lastFlushUs ?? 0);
    this.allPartitions.set(p.tp, lp);
    this.generation++;
    lp.maybeIncrementHw();
    if (p.topic === OFFSETS_TOPIC) this.onCoordinatorPartition(p.tp, true);
  }

  private makeFollower(p: PartitionState): void {
    const b = this.broker;
    const log = b.logFor(p.tp);
    const prev = this.allPartitions.get(p.tp);
    const lp = new Partition(b, p.tp, p.topic, log, p, 'follower', p.leaderEpoch, [], 0, new Map(), prev?.unflushedMessages ?? 0, prev?.lastFlushUs ?? 0);
    this.allPartitions.set(p.tp, lp);
    this.generation++;
    if (prev?.role === 'leader') this.producePurgatory.failPartition(p.tp, 'NOT_LEADER_OR_FOLLOWER');
    if (p.topic === OFFSETS_TOPIC) this.onCoordinatorPartition(p.tp, false);
    this.fetcherManager.removeFromFetchers(p.tp);
    const truncation = b.cfg.truncation;
    if (truncation === 'highWatermark' || (truncation === 'epochNoEpochInResponse' && log.latestEpoch === UNDEFINED_EPOCH)) {
      // Before 0.11 (ReplicaManager.makeFollowers): every new follower truncates to its own high watermark,
      // which after a restart is the last checkpointed one (KIP-101's problem). 0.11-1.x did the same for a
      // log without leader epochs.
      lp.truncate(log.hw, 'highWatermark');
    } else if (truncation === 'epochNoEpochInResponse') {
      lp.truncating = true;
    }
    if (p.leader !== NO_LEADER) this.fetcherManager.addToFetcher(p.leader, p.tp);
  }

  // ---- produce (leader) ----------------------------------------------------------------------

  /** ReplicaManager.appendRecords: append to each leader, then answer or wait in the produce purgatory. */
  onProduce(env: Envelope<P.ProduceRequest>): void {
    const req = env.payload;
    const now = this.broker.kernel.now;
    const n = req.data.length;
    // Lists of their final length (one grown by push from empty reserves room for 16).
    const results = new Array<P.ProducePartitionResponse>(n);
    const required = new Array<number>(n);
    const lps = new Array<Partition | undefined>(n);
    let waiting = 0;
    let appendDoneUs = now;
    for (let i = 0; i < n; i++) {
      const { tp, batch } = req.data[i];
      const lp = this.leaderPartition(tp);
      lps[i] = lp;
      const r: LeaderAppend = lp === undefined ? notLeader(tp, batch.seq, now, this.isOffline(tp)) : lp.appendRecordsToLeader(batch, req.acks);
      results[i] = r.result;
      if (r.doneUs > appendDoneUs) appendDoneUs = r.doneUs;
      const wait = r.result.error === 'NONE' && req.acks === -1 && r.requiredOffset >= 0;
      required[i] = wait ? r.requiredOffset : -1;
      if (wait) waiting++;
    }
    if (req.acks === 0) {
      this.broker.net.noResponse(env);
      return;
    }
    const dp: DelayedProduce = { env, results, required, waiting, deadlineUs: now + req.timeoutMs * 1000, done: false, lps, generation: this.generation };
    if (waiting === 0) {
      this.broker.timerAt(appendDoneUs, () => this.producePurgatory.respond(dp));
      return;
    }
    this.producePurgatory.add(dp);
  }

  // ---- ISR and OffsetsForLeaderEpoch (leader) ------------------------------------------------

  onAlterPartitionResponse(r: P.AlterPartitionResponse): void {
    this.leaderPartition(r.tp)?.onAlterPartitionResponse(r);
  }

  /** The isr-expiration task, every replica.lag.time.max.ms / 2. */
  isrExpirationLoop(): void {
    const now = this.broker.kernel.now;
    for (const lp of this.allPartitions.values()) lp.maybeShrinkIsr(now);
    this.broker.timer((this.broker.cfg.replicaLagTimeMaxMs * 1000) / 2, () => this.isrExpirationLoop());
  }

  /**
   * Leader side of OffsetsForLeaderEpoch as in 0.11-1.x (LeaderEpochFileCache.endOffsetFor): the LEO for the
   * latest epoch, else the start offset of the first later epoch, else undefined. No epoch in the answer.
   */
  onOffsetsForLeaderEpoch(env: Envelope<P.OffsetsForLeaderEpochRequest>): void {
    const out = env.payload.partitions.map(({ tp, leaderEpoch }) => {
      const lp = this.leaderPartition(tp);
      if (lp === undefined) return { tp, error: (this.isOffline(tp) ? 'KAFKA_STORAGE_ERROR' : 'NOT_LEADER_OR_FOLLOWER') as KafkaError, endOffset: UNDEFINED_OFFSET };
      if (env.payload.replicaId < 0) {
        // A consumer validating its position (KIP-320): the modern answer, with the epoch.
        const eo = lp.log.endOffsetForEpoch(leaderEpoch);
        return { tp, error: 'NONE' as KafkaError, endOffset: eo.endOffset, leaderEpoch: eo.epoch };
      }
      return { tp, error: 'NONE' as KafkaError, endOffset: endOffsetWithoutEpoch(lp.log, leaderEpoch) };
    });
    const b = this.broker;
    b.net.reply<P.OffsetsForLeaderEpochResponse>(env, 'OffsetsForLeaderEpochResponse', P.REQUEST_OVERHEAD_BYTES + 16 * out.length, {
      correlationId: env.payload.correlationId,
      partitions: out,
    });
  }
}

/** A batch for a partition this broker does not lead: NOT_LEADER_OR_FOLLOWER, or KAFKA_STORAGE_ERROR when it is offline here. */
function notLeader(tp: string, seq: number, now: number, offline: boolean): LeaderAppend {
  return { result: { tp, seq, error: offline ? 'KAFKA_STORAGE_ERROR' : 'NOT_LEADER_OR_FOLLOWER', baseOffset: -1 }, doneUs: now, requiredOffset: -1 };
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
