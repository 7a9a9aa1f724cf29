/**
 * The follower side of replication, following Kafka's ReplicaFetcherManager and
 * ReplicaFetcherThread / AbstractFetcherThread: one fetcher per leader broker fetches every partition
 * this broker follows from it, applies the data, and truncates by diverging epoch (or, for older
 * versions, to the HW or to an OffsetsForLeaderEpoch answer). Split from the broker because Kafka runs
 * this as its own threads with their own state (partitions, in-flight request, backoff).
 */
import type { BrokerContext } from './context.js';
import { Deadlines, type Deadline } from '../../kernel/deadlines.js';
import type { Envelope } from '../../resources/network.js';
import type { HostedPartitions, Partition } from './partition.js';
import { UNDEFINED_EPOCH, UNDEFINED_OFFSET, type LogEntry, type PartitionLog } from '../partition-log.js';
import * as P from '../protocol.js';
import { CPU_COST } from '../cpu-costs.js';
import { brokerIdOf, brokerNode } from '../metadata.js';

/** One replica fetcher: fetches every partition this broker follows from one leader. */
interface Fetcher {
  leader: number;
  tps: Set<string>;
  /** `tps` sorted (fetch requests list partitions in a stable order), rebuilt after a change. */
  sorted: string[] | null;
  /** The hosted partition of each of `sorted`, looked up under `generation` of the hosted partitions (see lookUp). */
  lps: Array<Partition | undefined>;
  generation: number;
  inflight: boolean;
  /** Bumped when a fetch is abandoned (timeout), so its late response is ignored. */
  gen: number;
  timeout?: Deadline;
  /**
   * Partitions delayed after an error, with the time (µs) they may be fetched again
   * (AbstractFetcherThread.delayPartitions: replica.fetch.backoff.ms for the partitions in error only).
   */
  delayed: Map<string, number>;
  /** Set while the fetcher waits because every partition is delayed; bumped to wake or cancel the wait. */
  sleep: number;
  sleeping: boolean;
  /** The partitions of the fetch in flight, as sent (their currentLeaderEpoch decides what a fencing means). */
  request: P.FetchPartition[];
  /** The request in flight is an OffsetsForLeaderEpoch (0.11-1.x truncation), not a fetch: the partitions it asks about; null for a fetch. */
  askingEpochs: string[] | null;
  /**
   * While the fetcher sleeps after a failed fetch request: the partitions it had when the request failed,
   * delayed when the sleep ends (processFetchRequest's partitionsWithError); null otherwise.
   */
  failed: string[] | null;
  /** Partitions were added since startFetchers() last ran (addPartitions signals only its own thread). */
  added: boolean;
}

export class ReplicaFetcherManager {
  private fetchers = new Map<number, Fetcher>();
  /** Fetch timeouts: the fetcher, with its generation at the request as the tag. */
  private timeouts: Deadlines<Fetcher>;

  constructor(
    private readonly broker: BrokerContext,
    private readonly partitions: HostedPartitions,
  ) {
    this.timeouts = this.newDeadlines();
  }

  /** A new process incarnation: no fetchers yet. */
  reset(): void {
    this.fetchers = new Map();
    this.timeouts = this.newDeadlines();
  }

  private newDeadlines(): Deadlines<Fetcher> {
    return new Deadlines<Fetcher>(this.broker, (f, gen) => this.expire(f, gen));
  }

  /**
   * ReplicaFetcherManager.addFetcherForPartitions, one partition of it: the partition joins its leader's
   * fetcher (AbstractFetcherThread.addPartitions) with no delay. Nothing is sent until startFetchers(), so
   * every partition of one metadata update is in the fetchers' first requests, as in Kafka, where the
   * partitions of a delta are added together before the fetcher thread builds its next request.
   */
  addToFetcher(leader: number, tp: string): void {
    let f = this.fetchers.get(leader);
    if (f === undefined) {
      f = {
        leader,
        tps: new Set(),
        sorted: null,
        lps: [],
        generation: -1,
        inflight: false,
        gen: 0,
        delayed: new Map(),
        sleep: 0,
        sleeping: false,
        request: [],
        askingEpochs: null,
        failed: null,
        added: false,
      };
      this.fetchers.set(leader, f);
    }
    if (!f.tps.has(tp)) {
      f.tps.add(tp);
      f.sorted = null;
    }
    f.delayed.delete(tp);
    f.added = true;
  }

  /**
   * After a metadata update's partitions were added: each fetcher they were added to, if not waiting for a
   * response, builds its next request now. One asleep because all its partitions were delayed is woken
   * (addPartitions signals its fetcher thread's partitionMapCond), and fetches what is not delayed; the
   * other fetchers are not disturbed.
   */
  startFetchers(): void {
    for (const f of this.fetchers.values()) {
      if (!f.added) continue;
      f.added = false;
      if (f.inflight) continue;
      if (f.sleeping) this.wake(f);
      else this.sendFetch(f);
    }
  }

  removeFromFetchers(tp: string): void {
    for (const f of this.fetchers.values()) {
      if (f.tps.delete(tp)) f.sorted = null;
      f.delayed.delete(tp);
    }
  }

  /** The leader's process died (or refused us): the request in flight failed. */
  onDisconnect(leader: number): void {
    const f = this.fetchers.get(leader);
    if (f?.inflight) this.requestFailed(f);
  }

  /**
   * The request in flight failed: the leader disconnected, or did not answer within
   * replica.socket.timeout.ms. For a fetch, processFetchRequest's catch takes every partition of the
   * fetcher as in error and sleeps replica.fetch.backoff.ms on partitionMapCond (which addPartitions
   * signals); only then does handlePartitionsWithErrors delay those partitions another backoff, so the next
   * fetch comes about two backoffs after the failure (Kafka's own comment: "effectively doubling the
   * delay"). A failed OffsetsForLeaderEpoch (0.11-1.x) delays the partitions it asked about one backoff, with
   * no sleep: its catch (fetchEpochsFromLeader) turns the failure into an error of each partition asked
   * about, which maybeTruncate hands to handlePartitionsWithErrors; the fetcher's other partitions are
   * fetched at once.
   */
  private requestFailed(f: Fetcher): void {
    f.inflight = false;
    f.gen++;
    if (f.askingEpochs !== null) {
      this.delay(f, f.askingEpochs);
      f.askingEpochs = null;
      this.sendFetch(f);
      return;
    }
    f.failed = [...f.tps];
    this.backOff(f);
  }

  private sendFetch(f: Fetcher): void {
    const b = this.broker;
    if (f.inflight || f.sleeping || f.tps.size === 0 || b.state === 'down') return;
    let lps = this.lookUp(f);
    let tps = f.sorted!;
    if (f.delayed.size > 0) {
      [tps, lps] = this.fetchable(f, tps, lps);
      if (tps.length === 0) return this.backOff(f);
    }
    // 0.11-1.x (AbstractFetcherThread.maybeTruncate): partitions still truncating ask OffsetsForLeaderEpoch first.
    if (anyTruncating(lps))
      return this.sendOffsetsForLeaderEpoch(
        f,
        tps.filter((_, i) => lps[i]!.truncating === true),
      );
    // Before 2.7 a fetch carried neither lastFetchedEpoch nor (before 2.1) currentLeaderEpoch.
    const epochs = b.cfg.truncation === 'divergingEpoch';
    // A list of its final length (one grown by push from empty reserves room for 16).
    const partitions = new Array<P.FetchPartition>(tps.length);
    for (let i = 0; i < tps.length; i++) {
      const tp = tps[i];
      const lp = lps[i]!;
      partitions[i] = { tp, fetchOffset: lp.log.leo, lastFetchedEpoch: epochs ? lp.log.latestEpoch : UNDEFINED_EPOCH, currentLeaderEpoch: epochs ? lp.leaderEpoch : -1 };
    }
    f.inflight = true;
    f.askingEpochs = null;
    f.request = partitions;
    const gen = ++f.gen;
    b.net.send<P.FetchRequest>(b.node, brokerNode(f.leader), 'Fetch', P.REQUEST_OVERHEAD_BYTES + 32 * partitions.length, {
      correlationId: gen,
      replicaId: b.id,
      replicaEpoch: b.brokerEpoch,
      maxWaitMs: b.cfg.replicaFetchWaitMaxMs,
      minBytes: b.cfg.replicaFetchMinBytes,
      maxBytes: b.cfg.replicaFetchResponseMaxBytes,
      partitionMaxBytes: b.cfg.replicaFetchMaxBytes,
      partitions,
    });
    f.timeout = this.timeouts.add(b.kernel.now + b.cfg.replicaSocketTimeoutMs * 1000, f, gen);
  }

  /** The partitions of `tps` not delayed at this time (a delay that has run out is dropped). */
  private fetchable(f: Fetcher, tps: string[], lps: Array<Partition | undefined>): [string[], Array<Partition | undefined>] {
    const now = this.broker.kernel.now;
    const outTps: string[] = [];
    const outLps: Array<Partition | undefined> = [];
    for (let i = 0; i < tps.length; i++) {
      const until = f.delayed.get(tps[i]);
      if (until !== undefined && until > now) continue;
      if (until !== undefined) f.delayed.delete(tps[i]);
      outTps.push(tps[i]);
      outLps.push(lps[i]);
    }
    return [outTps, outLps];
  }

  /**
   * The fetcher thread waits on partitionMapCond up to replica.fetch.backoff.ms, or until addPartitions
   * (startFetchers) signals it: when every partition is delayed (maybeFetch), and after a failed fetch
   * request (processFetchRequest's catch).
   */
  private backOff(f: Fetcher): void {
    f.sleeping = true;
    const token = ++f.sleep;
    this.broker.timer(this.broker.cfg.replicaFetchBackoffMs * 1000, () => {
      if (f.sleep !== token || !f.sleeping) return;
      this.wake(f);
    });
  }

  /**
   * The wait ends (its time is up, or partitions were added): after a failed fetch, the partitions it had
   * then, those still in the fetcher, are delayed from now (handlePartitionsWithErrors); then the fetcher
   * builds its next request from what is not delayed.
   */
  private wake(f: Fetcher): void {
    f.sleeping = false;
    f.sleep++;
    const failed = f.failed;
    if (failed !== null) {
      f.failed = null;
      this.delay(
        f,
        failed.filter((tp) => f.tps.has(tp)),
      );
    }
    this.sendFetch(f);
  }

  /**
   * AbstractFetcherThread.onPartitionFenced, for a fetch the leader fenced (its epoch is newer than the one
   * sent). When this broker still knows no newer epoch than it sent, the partition leaves the fetcher
   * (markPartitionFailed: "Will await the new LeaderAndIsr state before resuming fetching") until the
   * metadata update with the new epoch adds it again; returns true then. When this broker has learned a
   * newer epoch since it sent the request, false: the partition is retried later, as any partition in
   * error (delayed replica.fetch.backoff.ms).
   */
  private onPartitionFenced(f: Fetcher, lp: Partition, tp: string): boolean {
    const sent = f.request.find((p) => p.tp === tp);
    if (sent === undefined || sent.currentLeaderEpoch !== lp.leaderEpoch) return false;
    f.tps.delete(tp);
    f.sorted = null;
    f.delayed.delete(tp);
    return true;
  }

  /**
   * AbstractFetcherThread.delayPartitions: the partitions in error wait replica.fetch.backoff.ms (one still
   * delayed keeps its delay; one whose delay has run out is delayed again, as isDelayed is false for it).
   */
  private delay(f: Fetcher, tps: Iterable<string>): void {
    const now = this.broker.kernel.now;
    const until = now + this.broker.cfg.replicaFetchBackoffMs * 1000;
    for (const tp of tps) {
      const cur = f.delayed.get(tp);
      if (cur === undefined || cur <= now) f.delayed.set(tp, until);
    }
  }

  /** `f.sorted` (built if needed) and the hosted partition of each, looked up again only when the hosted partitions changed. */
  private lookUp(f: Fetcher): Array<Partition | undefined> {
    const rm = this.partitions;
    if (f.sorted === null) {
      f.sorted = [...f.tps].sort();
      f.generation = -1;
    }
    if (f.generation === rm.generation) return f.lps;
    const tps = f.sorted;
    const lps = new Array<Partition | undefined>(tps.length);
    for (let i = 0; i < tps.length; i++) lps[i] = rm.getPartition(tps[i]);
    f.lps = lps;
    f.generation = rm.generation;
    return lps;
  }

  /** A replica fetch ran out of time. */
  private expire(f: Fetcher, gen: number): void {
    if (f.gen !== gen || !f.inflight) return;
    // No answer within replica.socket.timeout.ms: the leader is dead or cut off. BrokerBlockingSender closes
    // the connection (what it held is discarded), then the fetcher backs off and tries again on a new one.
    this.broker.net.close(this.broker.node, brokerNode(f.leader), 'replica.socket.timeout.ms');
    this.requestFailed(f);
  }

  /** The fetcher a reply from `env.from` answers, if it is the one it waits for (and it stops waiting). */
  private takeFetcherReply(env: Envelope<{ correlationId: number }>): Fetcher | undefined {
    const f = this.fetchers.get(brokerIdOf(env.from));
    if (f === undefined || !f.inflight || env.payload.correlationId !== f.gen) return undefined;
    f.inflight = false;
    if (f.timeout !== undefined) this.timeouts.cancel(f.timeout);
    return f;
  }

  /** The partition a reply names, if this broker still follows it from that fetcher's leader. */
  private followed(f: Fetcher, tp: string): Partition | undefined {
    const lp = this.partitions.getPartition(tp);
    if (lp === undefined || lp.role !== 'follower' || lp.state.leader !== f.leader || !f.tps.has(tp)) return undefined;
    return lp;
  }

  onFetchResponse(env: Envelope<P.FetchResponse>): void {
    const f = this.takeFetcherReply(env);
    if (f === undefined) return;
    // The fetcher thread checks each batch's CRC and appends it: its core time (it waits for no core here).
    const b = this.broker;
    b.requests.cpu.run(b.kernel.now, (env.bytes * CPU_COST.followerAppendNsPerByte) / 1000);
    let errors: string[] | undefined;
    const lps = this.lookUp(f);
    const tps = f.sorted!;
    const prs = env.payload.partitions;
    for (let i = 0; i < prs.length; i++) {
      const pr = prs[i];
      // The answer lists the request's partitions in its order: while the fetcher's list is the same, the
      // partition is found by position (it is one of the fetcher's), else by name.
      const lp = i < tps.length && tps[i] === pr.tp ? followedFrom(f, lps[i]) : this.followed(f, pr.tp);
      if (lp === undefined) continue;
      if (this.processPartitionData(lp, pr)) continue;
      if (pr.error === 'FENCED_LEADER_EPOCH' && this.onPartitionFenced(f, lp, pr.tp)) continue;
      (errors ??= []).push(pr.tp);
    }
    if (errors !== undefined) this.delay(f, errors);
    this.sendFetch(f);
  }

  private sendOffsetsForLeaderEpoch(f: Fetcher, tps: string[]): void {
    const b = this.broker;
    f.inflight = true;
    f.askingEpochs = tps;
    const gen = ++f.gen;
    const partitions = tps.map((tp) => ({ tp, leaderEpoch: this.partitions.getPartition(tp)!.log.latestEpoch }));
    b.net.send<P.OffsetsForLeaderEpochRequest>(b.node, brokerNode(f.leader), 'OffsetsForLeaderEpoch', P.REQUEST_OVERHEAD_BYTES + 16 * partitions.length, {
      correlationId: gen,
      replicaId: b.id,
      partitions,
    });
    f.timeout = this.timeouts.add(b.kernel.now + b.cfg.replicaSocketTimeoutMs * 1000, f, gen);
  }

  /** Follower side (ReplicaFetcherThread.maybeTruncate, 1.x): truncate once, then fetch without further checks. */
  onOffsetsForLeaderEpochResponse(env: Envelope<P.OffsetsForLeaderEpochResponse>): void {
    const f = this.takeFetcherReply(env);
    if (f === undefined) return;
    // The fetcher thread checks each batch's CRC and appends it: its core time (it waits for no core here).
    const b = this.broker;
    b.requests.cpu.run(b.kernel.now, (env.bytes * CPU_COST.followerAppendNsPerByte) / 1000);
    const errors: string[] = [];
    for (const pr of env.payload.partitions) {
      const lp = this.followed(f, pr.tp);
      if (lp === undefined || lp.truncating !== true) continue;
      if (pr.error !== 'NONE') {
        errors.push(pr.tp);
        continue;
      }
      if (pr.endOffset === UNDEFINED_OFFSET) lp.truncate(lp.log.hw, 'highWatermark');
      else lp.truncate(Math.min(pr.endOffset, lp.log.leo), 'divergingEpoch');
      lp.truncating = false;
    }
    this.delay(f, errors);
    this.sendFetch(f);
  }

  /** Apply one partition of a fetch response (processPartitionData). Returns false when the partition is in error (and is delayed). */
  private processPartitionData(lp: Partition, pr: P.FetchPartitionResponse): boolean {
    const log = lp.log;
    if (pr.error === 'OFFSET_OUT_OF_RANGE' && pr.logEndOffset >= 0 && pr.logEndOffset < log.leo) {
      // The leader has less than us and no epoch to compare: truncate to its end (unclean case;
      // ReplicaFetcherThread.handleOffsetOutOfRange, AbstractFetcherThread.fetchOffsetAndTruncate since 1.1).
      lp.truncate(pr.logEndOffset, 'leaderEndOffset');
      return true;
    }
    if (pr.error !== 'NONE') return false;
    if (pr.divergingEpoch !== undefined) {
      lp.truncate(truncationOffset(log, pr.divergingEpoch), 'divergingEpoch');
      return true;
    }
    const sliceStraddling = this.broker.cfg.truncation === 'highWatermark';
    for (const e of pr.entries) {
      if (e.offset < log.leo) {
        // Before 0.11 (message format v0/v1, uncompressed) a log held single messages, so a fetch returned
        // exactly the messages from the fetch offset on: take the part of a straddling batch we lack.
        if (sliceStraddling && e.offset + e.batch.count > log.leo) lp.appendLocal(sliceEntry(e, log.leo - e.offset), 'fetch');
        continue; // already have it (a batch straddling the fetch offset)
      }
      if (e.offset > log.leo) break; // our log moved (truncated) since the request: refetch
      lp.appendLocal(e, 'fetch');
    }
    const hw = Math.min(pr.highWatermark, log.leo);
    if (hw > log.hw) lp.setHw(hw);
    return true;
  }
}

function anyTruncating(lps: ReadonlyArray<Partition | undefined>): boolean {
  for (let i = 0; i < lps.length; i++) if (lps[i]!.truncating === true) return true;
  return false;
}

/** `lp` if this broker still follows it from `f`'s leader. */
function followedFrom(f: Fetcher, lp: Partition | undefined): Partition | undefined {
  return lp === undefined || lp.role !== 'follower' || lp.state.leader !== f.leader ? undefined : lp;
}

/** AbstractFetcherThread.getOffsetTruncationState for a response with a diverging epoch. */
function truncationOffset(log: PartitionLog, leader: { epoch: number; endOffset: number }): number {
  if (leader.endOffset === UNDEFINED_OFFSET) return log.leo;
  if (leader.epoch === UNDEFINED_EPOCH) return Math.min(leader.endOffset, log.leo);
  const mine = log.endOffsetForEpoch(leader.epoch);
  if (mine.endOffset === UNDEFINED_OFFSET) return Math.min(leader.endOffset, log.leo);
  if (mine.epoch !== leader.epoch) return Math.min(mine.endOffset, log.leo);
  return Math.min(mine.endOffset, leader.endOffset, log.leo);
}

/** The records of an entry from its `skip`-th on, as an entry of their own (same producer, epoch, times). */
function sliceEntry(e: LogEntry, skip: number): LogEntry {
  const b = e.batch;
  const count = b.count - skip;
  return { offset: e.offset + skip, epoch: e.epoch, batch: { ...b, seq: b.seq + skip, count, bytes: Math.max(1, Math.round((b.bytes * count) / b.count)), createUs: b.createUs.slice(skip, b.count) } };
}
