/**
 * A consumer, with manually assigned partitions or as a member of a group (group.id; the group protocol
 * is in group/member.ts, which adds and drops partitions as the group assigns them). It fetches from each partition's
 * leader up to the high watermark (one fetch in flight per broker, fetch.min.bytes / fetch.max.wait.ms
 * long polls), starting at earliest, latest or a given offset. Stale metadata (NOT_LEADER_OR_FOLLOWER,
 * FENCED_LEADER_EPOCH) refreshes it; OFFSET_OUT_OF_RANGE resets per auto.offset.reset. With client.rack
 * (KIP-392) it sends its rack, and reads a partition from the preferred read replica the leader names
 * until metadata.max.age.ms passes or that replica fails (AbstractFetch.selectReadReplica).
 *
 * The application: poll() returns the fetched records (at most max.poll.records when it takes time to
 * process them), the application spends `processing` per record, and calls poll() again. A partition
 * with records fetched but not yet returned is not fetched again (Kafka's fetch buffer). Auto-commit runs
 * inside poll(); `commit: afterProcessing` commits synchronously after each batch is processed,
 * `beforeProcessing` right after poll() returns it.
 */
import { ClientMetadata } from './client-metadata.js';
import type { Kernel } from '../../kernel/kernel.js';
import { brokerIdOf, brokerNode, type MetadataImage, NO_LEADER, type PartitionState } from '../metadata.js';
import type { Metrics } from './metrics.js';
import type { Envelope, Network } from '../../resources/network.js';
import { Process } from '../../kernel/process.js';
import { ReconnectBackoff } from './reconnect.js';
import type { Stream } from '../../kernel/random.js';
import * as P from '../protocol.js';
import type { Trace } from '../../trace/bus.js';
import { type Deadline, Deadlines } from '../../kernel/deadlines.js';
import type { LogEntry } from '../partition-log.js';
import { GroupMember, type MemberConfig, type MemberHost } from '../group/member.js';
import { ConsumerProtocolMember } from '../group/consumer-member.js';
import { TASK_RECORDS, type Task, WorkerPool } from './workers.js';

/** KafkaConsumer.close()'s default timeout (DEFAULT_CLOSE_TIMEOUT_MS), ms. */
const CLOSE_TIMEOUT_MS = 30_000;

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
  /** broker.rack by broker id, as the Metadata response's brokers carry it (for the group leader's rack-aware assignment). */
  brokerRacks: Readonly<Record<string, string>>;
}

export interface AppConfig {
  /** The application's time per record, µs. */
  processingUs: number;
  /** Worker threads the poller hands records to (0: it processes them itself). */
  workers?: number;
  commit: 'none' | 'afterProcessing' | 'beforeProcessing';
  maxPollRecords: number;
}

interface Position {
  tp: string;
  /** Fetched records not yet returned by poll() (LogEntry, then how many of its records to skip). */
  buffered: Array<{ e: LogEntry; skip: number }>;
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
  /** Pending revocation (KIP-848): no longer fetched, its buffered records not returned. */
  paused?: boolean;
  /** KIP-392: the replica the leader said to read from (-1: the leader), until `preferredUntilUs`. */
  preferred: number;
  preferredUntilUs: number;
  /** The metadata image `part` was read from (fetchAll looks the partition up once per image). */
  img: MetadataImage | null;
  part: PartitionState | undefined;
}

interface InflightFetch {
  correlationId: number;
  tps: string[];
  /** Its request timeout, in the deadlines queue (cancelled when the answer comes). */
  deadline?: Deadline;
}

function newPosition(tp: string, offset: number): Position {
  return { tp, buffered: [], offset, epoch: -1, leaderEpoch: -1, validating: false, failed: false, preferred: -1, preferredUntilUs: 0, img: null, part: undefined };
}

export class Consumer extends Process {
  private readonly metadata: ClientMetadata;
  private positions: Position[] = [];
  private byTp = new Map<string, Position>();
  private inflight = new Map<number, InflightFetch>();
  /** Fetch request timeouts: they rarely fire, so they wait in a queue, not one kernel timer each. */
  private fetchDeadlines = this.newDeadlines();
  /** fetchAll's lists of positions per broker id, reused, and the brokers listed. */
  private readonly byNode: Array<Position[] | undefined> = [];
  private readonly fetchNodes: number[] = [];
  private nextCorrelation = 1;
  private fetchAllAtUs = Infinity;
  private validations = new Map<number, { tp: string; leaderEpoch: number }>();
  private readonly backoff: ReconnectBackoff;
  consumed = 0;
  readonly member: GroupMember | null;
  /** Positions with buffered records, in the order their fetches arrived. */
  private ready: Position[] = [];
  /** The application is processing what poll() returned (until then no poll()). */
  private busy = false;
  /** Time the application spent processing records (what poll() returned × its per-record processing time), µs. */
  processingBusyUs = 0;
  /** close() was called: no more poll(). */
  private closing = false;
  private lastPoll = 0;
  private readonly pool: WorkerPool | null;

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
    private readonly brokers: number[],
    rng: Stream,
    private readonly app: AppConfig = { processingUs: 0, commit: 'none', maxPollRecords: 500 },
    group: MemberConfig | null = null,
  ) {
    super(kernel, `c:${name}`);
    this.member = group === null ? null : group.protocol === 'consumer' ? new ConsumerProtocolMember(this.memberHost(), net, trace, group) : new GroupMember(this.memberHost(), net, trace, group);
    const workers = app.workers ?? 0;
    this.pool =
      workers > 0
        ? new WorkerPool(
            (d, fn) => this.timer(d, fn),
            kernel,
            workers,
            app.processingUs,
            (t, now) => this.processed(t, now),
          )
        : null;
    this.backoff = new ReconnectBackoff(rng);
    this.metadata = new ClientMetadata(
      this,
      net,
      trace,
      brokers,
      topic,
      cfg,
      this.backoff,
      () => {
        this.member?.onMetadata();
        this.fetchAll();
      },
      () => true,
      (node, reason) => this.closeConnection(node, reason),
      (node) => (this.inflight.has(node) ? 1 : 0),
    );
    net.attach(this, (env) => this.receive(env));
    net.onDisconnect(this.node, (peer) => this.onDisconnect(peer));
  }

  start(): void {
    this.markStarted();
    this.inflight = new Map();
    this.fetchDeadlines = this.newDeadlines();
    this.validations = new Map();
    this.backoff.reset();
    this.fetchAllAtUs = Infinity;
    this.ready = [];
    this.busy = false;
    this.closing = false;
    this.pool?.reset();
    this.lastPoll = this.kernel.now;
    const start = this.from === 'earliest' ? 0 : this.from === 'latest' ? -1 : this.from;
    this.setPositions(this.member !== null ? [] : this.partitions.map((p) => newPosition(`${this.topic}-${p}`, start)));
    this.trace.emit({ type: 'client', t: this.kernel.now, node: this.node, state: 'started' });
    this.metadata.reset();
    this.metadata.request();
    this.member?.start();
  }

  /**
   * close(): poll() is no longer called; a group member commits what poll() returned (auto-commit),
   * gives its partitions up and leaves the group (a static member does not leave), then the process ends.
   */
  shutdown(): void {
    const m = this.member;
    this.closing = true;
    const down = () => {
      if (!this.alive) return;
      this.markDown();
      this.trace.emit({ type: 'client', t: this.kernel.now, node: this.node, state: 'stopped' });
    };
    // KafkaConsumer.close(): leave, then wait for what is in flight to the coordinator, up to the close timeout.
    const stop = () => {
      if (!this.alive) return;
      if (m === null || m === undefined) return down();
      m.close();
      m.awaitPendingRequests(CLOSE_TIMEOUT_MS, down);
    };
    if (m?.cfg.autoCommit && m.state === 'stable' && this.positions.length > 0) m.commit('close', stop);
    else stop();
  }

  crash(): void {
    if (!this.alive) return;
    this.markDown();
    this.trace.emit({ type: 'client', t: this.kernel.now, node: this.node, state: 'crashed' });
  }

  private positionOf(tp: string): Position | undefined {
    return this.byTp.get(tp);
  }

  /** The positions changed: index them by partition again. */
  private setPositions(ps: Position[]): void {
    this.positions = ps;
    this.byTp = new Map(ps.map((p) => [p.tp, p]));
  }

  /** Fetched entries wait in the position's buffer until poll() returns them. */
  private buffer(pos: Position, entries: readonly LogEntry[]): void {
    let added = false;
    for (const e of entries) {
      if (e.offset + e.batch.count <= pos.offset) continue;
      pos.buffered.push({ e, skip: Math.max(0, pos.offset - e.offset) });
      added = true;
    }
    if (added && pos.buffered.length > 0 && !this.ready.includes(pos)) this.ready.push(pos);
  }

  /**
   * poll(): the group acts first (auto-commit, a due rejoin), then the buffered records are returned, in
   * the order their fetches arrived, at most max.poll.records when processing takes time.
   */
  private poll(): void {
    if (this.busy || this.closing || !this.alive) return;
    const now = this.kernel.now;
    this.lastPoll = now;
    const m = this.member;
    if (m !== null) {
      m.autoCommitIfDue();
      m.maybeJoin();
      if (m.preparing) return;
    }
    const limit = this.app.processingUs > 0 ? this.app.maxPollRecords : Infinity;
    let n = 0;
    while (this.ready.length > 0 && n < limit) {
      const pos = this.ready[0];
      while (pos.buffered.length > 0 && n < limit) n += this.returnRecords(pos, limit - n, now);
      if (pos.buffered.length === 0) this.ready.shift();
    }
    if (this.pool !== null) this.handOff();
    else if (n > 0 && (this.app.processingUs > 0 || this.app.commit !== 'none')) this.process(n);
  }

  /** With workers: poll() again at once unless max.poll.records are still queued; then wait for the workers. */
  private handOff(): void {
    if (this.pool!.pending < this.app.maxPollRecords) return;
    this.busy = true;
  }

  /** A worker finished records: the application has processed them. */
  private processed(t: Task, now: number): void {
    this.trace.consume(now, this.name, t.tp, t.offset, t.count, t.epoch, t.pid, t.seq);
    this.metrics.recordEndToEnd(now, t.createUs, t.from, t.from + t.count);
    this.consumed += t.count;
    if (this.busy && this.pool!.pending < this.app.maxPollRecords) {
      this.busy = false;
      this.poll();
      this.fetchAll();
    }
  }

  /** Return up to `max` records of the position's first buffered entry to the application. */
  private returnRecords(pos: Position, max: number, now: number): number {
    const b = pos.buffered[0];
    const e = b.e;
    const take = Math.min(e.batch.count - b.skip, max);
    if (this.pool !== null) this.submit(pos.tp, e, b.skip, take);
    else {
      this.trace.consume(now, this.name, pos.tp, e.offset + b.skip, take, e.epoch, e.batch.pid, e.batch.seq + b.skip);
      this.metrics.recordEndToEnd(now, e.batch.createUs, b.skip, b.skip + take);
      this.consumed += take;
    }
    pos.offset = e.offset + b.skip + take;
    pos.epoch = e.epoch;
    if (b.skip + take === e.batch.count) pos.buffered.shift();
    else b.skip += take;
    return take;
  }

  /** Hand records of one batch to the workers, TASK_RECORDS at a time. */
  private submit(tp: string, e: LogEntry, skip: number, count: number): void {
    for (let k = 0; k < count; k += TASK_RECORDS) {
      const n = Math.min(TASK_RECORDS, count - k);
      const from = skip + k;
      this.pool!.submit({ tp, offset: e.offset + from, count: n, epoch: e.epoch, pid: e.batch.pid, seq: e.batch.seq + from, createUs: e.batch.createUs, from });
    }
  }

  /** The application processes `n` records (committing before or after, as the scenario says), then polls again. */
  private process(n: number): void {
    this.busy = true;
    const m = this.member;
    const next = () => {
      this.busy = false;
      this.poll();
      this.fetchAll();
    };
    this.processingBusyUs += n * this.app.processingUs;
    const work = () =>
      this.timer(n * this.app.processingUs, () => {
        if (this.app.commit === 'afterProcessing' && m !== null) m.commit('sync', next);
        else next();
      });
    if (this.app.commit === 'beforeProcessing' && m !== null) m.commit('sync', work);
    else work();
  }

  /**
   * The racks of each partition's replicas (PartitionInfo.replicas' Node.rack), from the metadata image and
   * the brokers' broker.rack; undefined if the topic is unknown. Every replica counts, in sync or not (as
   * Kafka's rack-aware assignors take them).
   */
  private partitionRacks(topic: string): string[][] | undefined {
    const image = this.metadata.image;
    const n = image?.topics[topic]?.partitions;
    if (image === null || n === undefined) return undefined;
    return Array.from({ length: n }, (_, p) => (image.partitions[`${topic}-${p}`]?.replicas ?? []).flatMap((b) => this.cfg.brokerRacks[String(b)] ?? []));
  }

  /** What the group protocol sees of this consumer. */
  private memberHost(): MemberHost {
    const c = this;
    let next = 0;
    return {
      kernel: this.kernel,
      node: this.node,
      name: this.name,
      topic: this.topic,
      get alive() {
        return c.alive;
      },
      timer: (d, fn) => this.timer(d, fn),
      anyBroker: () => this.brokers[next++ % this.brokers.length],
      partitionCount: (t) => this.metadata.image?.topics[t]?.partitions,
      partitionRacks: (t) => this.partitionRacks(t),
      owned: () => this.positions.map((p) => p.tp),
      consumed: () => this.positions.filter((p) => p.offset >= 0).map((p) => ({ tp: p.tp, offset: p.offset })),
      drop: (tps) => {
        this.setPositions(this.positions.filter((p) => !tps.includes(p.tp)));
        this.ready = this.ready.filter((p) => !tps.includes(p.tp));
      },
      add: (tps, committed) => this.addPositions(tps, committed),
      pause: (tps) => {
        for (const tp of tps) {
          const pos = this.byTp.get(tp);
          if (pos !== undefined) pos.paused = true;
        }
        this.ready = this.ready.filter((p) => !p.paused);
      },
      inPoll: () => !this.busy && this.alive,
      lastPollUs: () => (this.busy ? this.lastPoll : this.kernel.now),
      pollAgain: () => {
        this.poll();
        this.fetchAll();
      },
      fail: (error) => {
        if (!this.alive) return;
        this.markDown();
        this.trace.emit({ type: 'client', t: this.kernel.now, node: this.node, state: 'failed', error });
      },
    };
  }

  /** Newly assigned partitions start at the committed offset, else where auto.offset.reset says. */
  private addPositions(tps: string[], committed: Map<string, number>): void {
    for (const tp of tps) {
      const c = committed.get(tp) ?? -1;
      const reset = this.cfg.autoOffsetReset;
      const pos = newPosition(tp, c >= 0 ? c : reset === 'earliest' ? 0 : -1);
      if (c < 0 && reset === 'none') pos.failed = true;
      this.positions.push(pos);
      this.byTp.set(tp, pos);
      if (c >= 0 || reset === 'earliest') this.trace.emit({ type: 'position', t: this.kernel.now, consumer: this.name, tp, offset: pos.offset, from: c >= 0 ? 'committed' : 'earliest' });
    }
    this.fetchAll();
  }

  /** Send a fetch to every leader that has none in flight. */
  private fetchAll(): void {
    const img = this.metadata.image;
    if (img === null || !this.alive) return;
    // Per broker id, the positions to fetch from it (reused lists); `nodes`: the brokers listed, in order seen.
    const byNode = this.byNode;
    const nodes = this.fetchNodes;
    while (nodes.length > 0) nodes.pop();
    const positions = this.positions;
    for (let i = 0; i < positions.length; i++) {
      const pos = positions[i];
      if (pos.img !== img) {
        pos.img = img;
        pos.part = img.partitions[pos.tp];
      }
      const p = pos.part;
      if (p === undefined) {
        // Assigned by a KIP-848 coordinator whose metadata is ahead of ours: fetched once ours knows it.
        this.metadata.request();
        continue;
      }
      const leader = p.leader;
      if (leader === NO_LEADER || pos.failed || pos.paused === true || pos.buffered.length > 0) continue;
      if (this.needsValidation(pos, p.leaderEpoch)) this.validate(pos, leader, p.leaderEpoch);
      if (pos.validating) continue;
      const node = this.readReplica(pos, p.replicas, leader);
      // A broker with a fetch in flight gets none now.
      if (this.inflight.has(node)) continue;
      let l = byNode[node];
      if (l === undefined) byNode[node] = l = [];
      if (l.length === 0) nodes.push(node);
      l.push(pos);
    }
    if (nodes.length === 0) return;
    // In broker id order (insertion sort: a handful of brokers).
    for (let i = 1; i < nodes.length; i++) {
      const v = nodes[i];
      let j = i - 1;
      while (j >= 0 && nodes[j] > v) {
        nodes[j + 1] = nodes[j];
        j--;
      }
      nodes[j + 1] = v;
    }
    const now = this.kernel.now;
    for (let i = 0; i < nodes.length; i++) {
      const leader = nodes[i];
      const ps = byNode[leader]!;
      if (!this.inflight.has(leader)) {
        const readyAt = this.backoff.readyAt(leader);
        if (readyAt <= now) this.sendFetch(leader, ps);
        else this.fetchAllAt(readyAt);
      }
      while (ps.length > 0) ps.pop();
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

  private sendFetch(leader: number, ps: readonly Position[]): void {
    const img = this.metadata.image!;
    const correlationId = this.nextCorrelation++;
    // Lists of their final length (one grown by push from empty reserves room for 16).
    const tps = new Array<string>(ps.length);
    const partitions = new Array<P.FetchPartition>(ps.length);
    for (let i = 0; i < ps.length; i++) {
      const pos = ps[i];
      tps[i] = pos.tp;
      // A consumer sends no lastFetchedEpoch (it validates positions separately, KIP-320).
      // Before KIP-320 a consumer's fetch carried no leader epoch either.
      partitions[i] = { tp: pos.tp, fetchOffset: Math.max(0, pos.offset), lastFetchedEpoch: -1, currentLeaderEpoch: this.cfg.truncationDetection ? img.partitions[pos.tp].leaderEpoch : -1 };
    }
    const f: InflightFetch = { correlationId, tps };
    this.inflight.set(leader, f);
    const req: P.FetchRequest = {
      correlationId,
      replicaId: -1,
      replicaEpoch: -1,
      maxWaitMs: this.cfg.fetchMaxWaitMs,
      minBytes: this.cfg.fetchMinBytes,
      maxBytes: this.cfg.fetchMaxBytes,
      partitionMaxBytes: this.cfg.maxPartitionFetchBytes,
      partitions,
    };
    if (this.cfg.clientRack !== '') req.rackId = this.cfg.clientRack;
    this.net.send<P.FetchRequest>(this.node, brokerNode(leader), 'Fetch', P.REQUEST_OVERHEAD_BYTES + 32 * ps.length, req);
    f.deadline = this.fetchDeadlines.add(this.kernel.now + (this.cfg.requestTimeoutMs + this.cfg.fetchMaxWaitMs) * 1000, leader, correlationId);
  }

  /** Fetch timeouts: the broker, with the request's correlation id as the tag. */
  private newDeadlines(): Deadlines<number> {
    return new Deadlines<number>(this, (leader, correlationId) => {
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
    const pos = this.positionOf(v.tp);
    if (pos === undefined) return;
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
    const f = this.inflight.get(leader);
    for (const tp of f?.tps ?? []) {
      const pos = this.positionOf(tp);
      if (pos !== undefined) pos.preferred = -1;
    }
    if (f?.deadline !== undefined) this.fetchDeadlines.cancel(f.deadline);
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
    this.member?.disconnected(node);
    if (this.inflight.has(node)) this.lost(node);
  }

  private receive(env: Envelope): void {
    if (env.kind === 'MetadataResponse') this.metadata.onResponse(env.payload as P.MetadataResponse);
    else if (env.kind === 'FetchResponse') this.onFetchResponse(env as Envelope<P.FetchResponse>);
    else if (env.kind === 'OffsetsForLeaderEpochResponse') this.onValidation(env.payload as P.OffsetsForLeaderEpochResponse);
    else this.member?.receive(env.kind, env.payload as { correlationId: number });
  }

  private onFetchResponse(env: Envelope<P.FetchResponse>): void {
    const leader = brokerIdOf(env.from);
    const f = this.inflight.get(leader);
    if (f === undefined || f.correlationId !== env.payload.correlationId) return;
    this.inflight.delete(leader);
    if (f.deadline !== undefined) this.fetchDeadlines.cancel(f.deadline);
    this.backoff.succeeded(leader);
    let refresh = false;
    const now = this.kernel.now;
    for (const pr of env.payload.partitions) {
      const pos = this.positionOf(pr.tp);
      if (pos === undefined) continue; // no longer assigned
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
        if (this.member !== null) this.trace.emit({ type: 'position', t: now, consumer: this.name, tp: pos.tp, offset: pos.offset, from: 'latest' });
        continue;
      }
      if (pos.validating || pos.failed || pos.paused === true) continue;
      this.buffer(pos, pr.entries);
    }
    this.poll();
    if (refresh) {
      this.metadata.request();
      this.fetchAllAt(now + this.cfg.retryBackoffMs * 1000);
    } else {
      this.fetchAll();
    }
  }
}
