/**
 * The fetch purgatory, following Kafka's DelayedFetch and the ReplicaManager's delayedFetchPurgatory:
 * a fetch (from a follower or a consumer) with too little data waits here for fetch.min.bytes, an
 * error, or fetch.max.wait.ms. Split from the broker because Kafka keeps delayed operations apart from
 * the request handling that creates them.
 */
import type { BrokerContext } from './context.js';
import { Deadlines, type Deadline } from '../../kernel/deadlines.js';
import type { Envelope } from '../../resources/network.js';
import { fetchError, type HostedPartitions, type Partition } from './partition.js';
import * as P from '../protocol.js';
import { fetchResponseWriteUs } from './request-costs.js';

export interface DelayedFetch {
  env: Envelope<P.FetchRequest>;
  deadlineUs: number;
  done: boolean;
  deadline?: Deadline;
  /** The hosted partition of each of the request's partitions, looked up under `generation` of the hosted partitions. */
  lps: Array<Partition | undefined>;
  generation: number;
}

export class FetchPurgatory {
  private delayed: DelayedFetch[] = [];
  private deadlines: Deadlines<DelayedFetch>;

  constructor(
    private readonly broker: BrokerContext,
    private readonly partitions: HostedPartitions,
  ) {
    this.deadlines = this.newDeadlines();
  }

  /** A new process incarnation: nothing waits any more. */
  reset(): void {
    this.delayed = [];
    this.deadlines = this.newDeadlines();
  }

  private newDeadlines(): Deadlines<DelayedFetch> {
    return new Deadlines(this.broker, (df) => this.tryComplete(df, false, true));
  }

  /** ReplicaManager.fetchMessages: answer at once if possible, else wait in purgatory. */
  onFetch(env: Envelope<P.FetchRequest>): void {
    const df: DelayedFetch = { env, deadlineUs: this.broker.kernel.now + env.payload.maxWaitMs * 1000, done: false, lps: [], generation: -1 };
    if (this.tryComplete(df, true)) return;
    this.delayed.push(df);
    df.deadline = this.deadlines.add(df.deadlineUs, df);
  }

  /** New data (or a new HW) on `tp`: try the fetches that include it (`consumersOnly`: those that may read a follower). */
  wake(tp: string, consumersOnly = false): void {
    const dfs = this.delayed;
    for (let i = dfs.length - 1; i >= 0; i--) {
      if (i >= dfs.length) continue;
      const df = dfs[i];
      if (consumersOnly && df.env.payload.rackId === undefined) continue;
      if (!df.done && includes(df.env.payload.partitions, tp)) this.tryComplete(df, false);
    }
  }

  /**
   * Tries a fetch without building its answer: whether it would still wait (no error and fewer than
   * fetch.min.bytes to send; false when that cannot be told cheaply). A first try also updates the
   * followers' fetch state, in fetchRecords' order, for every partition: the answer is then built with
   * `first` false.
   */
  private stillWaits(df: DelayedFetch, first: boolean): boolean {
    const req = df.env.payload;
    const lps = this.lookUp(df);
    let bytes = 0;
    let answer = false;
    const fps = req.partitions;
    for (let i = 0; i < fps.length; i++) {
      const fp = fps[i];
      const lp = lps[i];
      const n = lp === undefined || !(lp.role === 'leader' || (req.replicaId < 0 && req.rackId !== undefined)) ? -1 : lp.fetchBytes(req, fp, first, req.maxBytes - bytes, req.minBytes - bytes);
      if (n < 0) {
        answer = true;
        if (!first) break;
      } else bytes += n;
    }
    return !answer && bytes < req.minBytes;
  }

  /** The hosted partitions the fetch names, looked up again only when they changed since the last look. */
  private lookUp(df: DelayedFetch): Array<Partition | undefined> {
    const rm = this.partitions;
    if (df.generation === rm.generation) return df.lps;
    const fps = df.env.payload.partitions;
    const lps = new Array<Partition | undefined>(fps.length);
    df.lps = lps;
    for (let i = 0; i < fps.length; i++) lps[i] = rm.getPartition(fps[i].tp);
    df.generation = rm.generation;
    return lps;
  }

  /** Read every partition of the fetch; answer if there is data, an error, or the wait is over. */
  private tryComplete(df: DelayedFetch, first: boolean, expired = false): boolean {
    if (df.done) return true;
    if (!expired) {
      if (this.stillWaits(df, first)) return false;
      first = false;
    }
    const req = df.env.payload;
    const b = this.broker;
    const lps = this.lookUp(df);
    const fps = req.partitions;
    // A list of its final length (one grown by push from empty reserves room for 16).
    const out = new Array<P.FetchPartitionResponse>(fps.length);
    let bytes = 0;
    let uncached = 0;
    // With several log directories, the bytes to read from each one's device.
    const byDir = b.disk.dirCount > 1 ? this.uncachedByDir(b.disk.dirCount) : null;
    let urgent = false;
    const cachedFrom = b.disk.cachedFrom;
    for (let i = 0; i < fps.length; i++) {
      const fp = fps[i];
      const lp = lps[i];
      // KIP-392: a consumer that sends its rack may read from a follower (up to the follower's HW).
      const readable = lp !== undefined && (lp.role === 'leader' || (req.replicaId < 0 && req.rackId !== undefined));
      const r = !readable ? fetchError(fp.tp, this.partitions.isOffline(fp.tp) ? 'KAFKA_STORAGE_ERROR' : 'NOT_LEADER_OR_FOLLOWER', lp?.log) : lp.fetchRecords(req, fp, first, req.maxBytes - bytes);
      for (const e of r.entries) bytes += e.batch.bytes;
      if (r.entries.length > 0 && cachedFrom > 0) {
        const log = b.logs.get(fp.tp)!;
        const n = log.uncachedBytes(r.entries, cachedFrom);
        uncached += n;
        if (byDir !== null) byDir[log.dir] += n;
      }
      if (r.error !== 'NONE' || r.divergingEpoch !== undefined || r.preferredReadReplica !== undefined) urgent = true;
      out[i] = r;
    }
    if (!urgent && bytes < req.minBytes && !expired) return false;
    df.done = true;
    if (df.deadline !== undefined) this.deadlines.cancel(df.deadline);
    const i = this.delayed.indexOf(df);
    if (i >= 0) removeAt(this.delayed, i);
    const size = P.REQUEST_OVERHEAD_BYTES + bytes + 16 * out.length;
    b.requests.respond(b.kernel.now, fetchResponseWriteUs(size));
    const answer: P.FetchResponse = { correlationId: req.correlationId, partitions: out };
    // Data older than the page cache holds comes from the device first (a lagging consumer's read).
    if (uncached > 0) b.timerAt(this.readUncached(uncached, byDir), () => b.net.reply<P.FetchResponse>(df.env, 'FetchResponse', size, answer));
    else b.net.reply<P.FetchResponse>(df.env, 'FetchResponse', size, answer);
    return true;
  }

  /** A zeroed per-directory byte count, reused (one array per purgatory). */
  private uncachedByDir(dirs: number): Float64Array {
    if (this.byDirScratch === null || this.byDirScratch.length !== dirs) this.byDirScratch = new Float64Array(dirs);
    else this.byDirScratch.fill(0);
    return this.byDirScratch;
  }

  private byDirScratch: Float64Array | null = null;

  /**
   * What a lagging read takes from the devices: one read of `bytes` from the only log directory, or one
   * per directory it touches (`byDir`), side by side on their devices. Returns when the last is done (µs).
   */
  private readUncached(bytes: number, byDir: Float64Array | null): number {
    const disk = this.broker.disk;
    if (byDir === null) return disk.read(0, bytes);
    let end = 0;
    for (let d = 0; d < byDir.length; d++) if (byDir[d] > 0) end = Math.max(end, disk.read(d, byDir[d]));
    return end;
  }
}

function includes(partitions: P.FetchPartition[], tp: string): boolean {
  for (let i = 0; i < partitions.length; i++) if (partitions[i].tp === tp) return true;
  return false;
}

/** Remove `list[i]` in place (splice would also build an array of what it removed; pop, not a length change, which V8 runs outside the compiled code). */
function removeAt<T>(list: T[], i: number): void {
  for (let k = i + 1; k < list.length; k++) list[k - 1] = list[k];
  list.pop();
}
