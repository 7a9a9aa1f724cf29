/**
 * A Kafka broker (Kafka's BrokerServer): its logs (which outlive the process, as LogManager keeps them),
 * its view of the metadata, and the parts it owns, split along Kafka's classes:
 * - lifecycle.ts: BrokerLifecycleManager (registration, heartbeats, fencing, metadata catch-up);
 * - replica-manager.ts: ReplicaManager (roles from metadata, produce and fetch handling) with its
 *   purgatories delayed-produce.ts and delayed-fetch.ts (DelayedProduce, DelayedFetch);
 * - partition.ts: Partition (high watermark, ISR shrink and expand through AlterPartition);
 * - replica-fetcher.ts: ReplicaFetcherManager / AbstractFetcherThread (follower fetch, truncation).
 * Behaviour follows Kafka 4.x; docs/kafka-source-notes.md has the sources.
 */
import type { BrokerConfig, BrokerContext } from './context.js';
import { BrokerLifecycleManager } from './lifecycle.js';
import type { Disk } from '../../resources/disk.js';
import type { RequestHandling } from '../../resources/cpu.js';
import { requestCostUs } from './request-costs.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { MetadataImage } from '../metadata.js';
import type { Envelope, Network } from '../../resources/network.js';
import { PartitionLog } from '../partition-log.js';
import { Process } from '../../kernel/process.js';
import type * as P from '../protocol.js';
import { ReplicaManager } from './replica-manager.js';
import { GroupCoordinator } from '../group/coordinator.js';
import type { Trace } from '../../trace/bus.js';
import type { BrokerStopReason } from '../../trace/events.js';

export type { BrokerConfig } from './context.js';

/** KafkaBroker.shutdown(): the whole shutdown's timeout, 5 minutes, µs; the controlled shutdown's wait ends with it. */
const SHUTDOWN_TIMEOUT_US = 5 * 60 * 1_000_000;

export class Broker extends Process implements BrokerContext {
  /** Logs by partition: they survive process crashes (the page cache and disk keep them). */
  readonly logs = new Map<string, PartitionLog>();
  readonly offlineTps = new Map<string, number>();
  /** Log directories this process runs without: failed (failDisk) since it started, or at its start. */
  readonly offlineDirs = new Set<number>();
  image: MetadataImage | null = null;
  brokerEpoch = -1;
  /**
   * KIP-966's clean shutdown file: a clean shutdown writes the broker epoch next to the logs; startup reads
   * it into previousBrokerEpoch for the registration and deletes it, so a later crash leaves none.
   */
  private cleanShutdownEpoch = -1;
  /** The log directories whose disk holds that file (written to each live one; a new disk has none). */
  private cleanShutdownFiles: boolean[] = [];
  previousBrokerEpoch = -1;
  fenced = true;
  shuttingDown = false;
  /** Run once the process is down: a restart that arrived during a controlled shutdown. */
  private stopWaiters: Array<() => void> = [];
  readonly lifecycle: BrokerLifecycleManager;
  readonly replicaManager: ReplicaManager;
  readonly groupCoordinator: GroupCoordinator;

  constructor(
    kernel: Kernel,
    readonly id: number,
    readonly net: Network,
    readonly disk: Disk,
    readonly trace: Trace,
    readonly cfg: BrokerConfig,
    /** How often to look for logs due a flush.ms fsync (Infinity: never). */
    private readonly flushPeriodUs: number,
    readonly requests: RequestHandling,
    /** Its machine's NIC bandwidth, bytes/s. */
    nicBytesPerSec: number,
  ) {
    super(kernel, `b${id}`);
    this.lifecycle = new BrokerLifecycleManager(this);
    this.replicaManager = new ReplicaManager(this);
    this.groupCoordinator = new GroupCoordinator(this, this.replicaManager, cfg.groupRecords, cfg.coordinator);
    this.replicaManager.onCoordinatorPartition = (tp, leader) => (leader ? this.groupCoordinator.onElection(tp) : this.groupCoordinator.onResignation(tp));
    net.attach(this, (env) => this.admit(env), nicBytesPerSec);
    net.muteAfterRequest(this.node);
    net.onDisconnect(this.node, (peer) => this.onDisconnect(peer));
  }

  /** A peer's process died (or refused us): fail what we were waiting for from it. */
  private onDisconnect(peer: string): void {
    if (peer === 'ctl') this.lifecycle.onControllerDisconnect();
    else this.replicaManager.fetcherManager.onDisconnect(Number(peer.slice(1)));
  }

  logFor(tp: string): PartitionLog {
    let log = this.logs.get(tp);
    if (log === undefined) {
      log = new PartitionLog(tp, this.nextLogDir());
      this.logs.set(tp, log);
    }
    return log;
  }

  /**
   * LogManager.nextLogDirs: a new log goes to the log directory (log.dirs) holding the fewest logs of
   * this broker, the first in log.dirs order among equals.
   */
  private nextLogDir(): number {
    const dirs = this.disk.dirCount;
    if (dirs === 1) return 0;
    const counts = new Array<number>(dirs).fill(0);
    for (const log of this.logs.values()) counts[log.dir]++;
    let best = -1;
    for (let d = 0; d < dirs; d++) if (!this.offlineDirs.has(d) && (best < 0 || counts[d] < counts[best])) best = d;
    return best;
  }

  /** Whether the process can start: LogManager halts at startup when no log directory is usable. */
  get hasOnlineLogDir(): boolean {
    return this.disk.failedCount < this.disk.dirCount;
  }

  /**
   * Why the process cannot start, or undefined when it can: every log directory failed (LogManager halts at
   * startup), or the metadata log's did (KafkaRaftServer.initializeLogDirs verifies the meta.properties with
   * REQUIRE_METADATA_LOG_DIR).
   */
  startProblem(): string | undefined {
    if (!this.hasOnlineLogDir) return 'has no working log directory (Kafka halts at startup: replaceDisk first)';
    const m = this.cfg.metadataLogDir;
    if (m >= 0 && this.disk.failed(m)) return `has lost its metadata log directory ${this.disk.dirName(m)} (Kafka cannot start without it: replaceDisk first)`;
    return undefined;
  }

  /**
   * The failDisk fault (KIP-112, KIP-858): log directory `dir`'s disk dies, and with it this broker's logs
   * there. The process notices when it runs (a paused one first thing on resuming): it marks their partitions offline
   * (ReplicaManager.handleLogDirFailure) and tells the controller in a heartbeat sent at once
   * (BrokerLifecycleManager.propagateDirectoryFailure); with no log directory left it halts (LogManager:
   * "all log dirs ... have failed"), and so it does when the directory held its metadata log
   * (ReplicaManager.handleLogDirFailure: "Shutdown broker because the metadata log dir ... has failed").
   */
  failDisk(dir: number): void {
    if (this.disk.failed(dir)) return;
    this.disk.fail(dir);
    for (const log of [...this.logs.values()]) {
      if (log.dir !== dir) continue;
      if (log.leo > 0) this.trace.emit({ type: 'truncate', t: this.kernel.now, broker: this.id, tp: log.tp, to: 0, removed: log.leo, reason: 'diskFailure' });
      this.logs.delete(log.tp);
      this.offlineTps.set(log.tp, dir);
    }
    this.deliverFirst(() => this.onLogDirFailure(dir));
  }

  private onLogDirFailure(dir: number): void {
    this.offlineDirs.add(dir);
    const halt = !this.hasOnlineLogDir ? 'allLogDirsFailed' : dir === this.cfg.metadataLogDir ? 'metadataLogDirFailed' : undefined;
    if (halt !== undefined) {
      this.crash('process', halt);
      this.net.processDied(this.node);
      return;
    }
    this.replicaManager.handleLogDirFailure(dir);
    this.lifecycle.propagateDirectoryFailure(dir);
  }

  /** The replaceDisk fault: a new, empty, formatted disk in log directory `dir` (no clean shutdown file on it). */
  replaceDisk(dir: number): void {
    this.disk.replace(dir);
    this.cleanShutdownFiles[dir] = false;
  }

  /** The offline replicas this broker reports to the controller (sorted), or undefined when there are none. */
  offlineReplicas(): string[] | undefined {
    return this.offlineTps.size === 0 ? undefined : [...this.offlineTps.keys()].sort();
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /**
   * Start the process. At time 0 the cluster is already formed (`bootstrap` gives the image and the
   * broker epoch); a restart registers with the controller, catches up metadata and waits to be unfenced.
   */
  start(bootstrap?: { image: MetadataImage; brokerEpoch: number }): void {
    this.markStarted();
    // Startup reads log.dirs: a failed disk stays offline; a replaced one is empty and online again.
    this.offlineDirs.clear();
    for (let d = 0; d < this.disk.dirCount; d++) if (this.disk.failed(d)) this.offlineDirs.add(d);
    for (const [tp, d] of [...this.offlineTps]) if (!this.offlineDirs.has(d)) this.offlineTps.delete(tp);
    this.replicaManager.reset();
    this.requests.reset(this.kernel.now);
    this.groupCoordinator.reset();
    this.lifecycle.reset();
    this.shuttingDown = false;
    // LogManager.readBrokerEpochFromCleanShutdownFiles: the epoch only if every log directory is live and has the file.
    const everyDir = this.offlineDirs.size === 0 && this.cleanShutdownFiles.length === this.disk.dirCount && this.cleanShutdownFiles.every((f) => f);
    this.previousBrokerEpoch = everyDir ? this.cleanShutdownEpoch : -1;
    this.cleanShutdownEpoch = -1;
    this.cleanShutdownFiles = [];
    // Log recovery: the HW restarts from the last checkpoint (replication-offset-checkpoint).
    for (const log of this.logs.values()) log.hw = Math.min(log.hwCheckpoint, log.leo);
    this.trace.emit({ type: 'broker', t: this.kernel.now, broker: this.id, state: 'running' });
    // A restarted broker's listeners open only once it has caught up and been unfenced (lifecycle).
    this.net.setAccepting(this.node, bootstrap !== undefined);
    this.lifecycle.startup(bootstrap);
    this.timer(5_000_000, () => this.checkpointHwLoop());
    if (this.flushPeriodUs < Infinity) this.timer(this.flushPeriodUs, () => this.flushLoop());
    this.timer((this.cfg.replicaLagTimeMaxMs * 1000) / 2, () => this.replicaManager.isrExpirationLoop());
  }

  /** Crash the process. A power loss also drops the page cache: logs go back to their durable offsets. */
  crash(mode: 'process' | 'power', reason?: BrokerStopReason): void {
    if (!this.alive) return;
    this.markDown();
    this.trace.emit({ type: 'broker', t: this.kernel.now, broker: this.id, state: 'crashed', mode, ...(reason !== undefined ? { reason } : {}) });
    if (mode === 'power') this.losePageCache();
    this.notifyStopped();
  }

  /** Run `fn` (as its own event) once this process is down. */
  whenStopped(fn: () => void): void {
    this.stopWaiters.push(fn);
  }

  private notifyStopped(): void {
    const waiters = this.stopWaiters;
    this.stopWaiters = [];
    for (const fn of waiters) this.kernel.at(this.kernel.now, () => fn());
  }

  /** Power loss of a machine whose broker process is already down still loses its page cache. */
  losePageCache(): void {
    this.disk.powerLoss();
    for (const log of this.logs.values()) {
      const removed = log.truncateTo(log.durableOffset);
      if (removed > 0) this.trace.emit({ type: 'truncate', t: this.kernel.now, broker: this.id, tp: log.tp, to: log.leo, removed, reason: 'powerLoss' });
    }
  }

  /**
   * Controlled shutdown: ask the controller to move leadership away, then stop cleanly. `reason`: the
   * process shuts itself down (logDirFailureTimeout). BrokerServer.shutdown waits for the controller's
   * answer up to the shutdown's timeout (KafkaBroker.shutdown(): 5 minutes), then stops all the same
   * ("Timed out waiting for the controller to approve controlled shutdown").
   */
  shutdown(reason?: BrokerStopReason): void {
    if (this.state !== 'running' || this.shuttingDown) return;
    this.shuttingDown = true;
    this.trace.emit({ type: 'broker', t: this.kernel.now, broker: this.id, state: 'shuttingDown', ...(reason !== undefined ? { reason } : {}) });
    this.lifecycle.sendHeartbeat();
    this.timer(SHUTDOWN_TIMEOUT_US, () => {
      if (this.shuttingDown) this.stopCleanly('controlledShutdownTimedOut');
    });
  }

  /** The controller let a controlled shutdown finish (BrokerLifecycleManager), or its wait timed out (`reason`). */
  stopCleanly(reason?: BrokerStopReason): void {
    // A clean shutdown flushes every log and writes the HW checkpoint.
    for (const log of this.logs.values()) {
      log.hwCheckpoint = log.hw;
      if (log.durableOffset < log.leo) {
        log.durableOffset = log.leo;
        this.trace.emit({ type: 'flush', t: this.kernel.now, broker: this.id, tp: log.tp, to: log.leo });
      }
    }
    this.cleanShutdownEpoch = this.brokerEpoch;
    this.cleanShutdownFiles = Array.from({ length: this.disk.dirCount }, (_, d) => !this.offlineDirs.has(d));
    this.markDown();
    this.trace.emit({ type: 'broker', t: this.kernel.now, broker: this.id, state: 'stopped', ...(reason !== undefined ? { reason } : {}) });
    // The SocketServer closes its connections as it shuts down: peers see them close at once.
    this.net.processDied(this.node);
    this.notifyStopped();
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

  /** A new metadata image: remember it, then let the ReplicaManager change roles. */
  applyImage(img: MetadataImage): void {
    const old = this.image;
    this.image = img;
    this.replicaManager.applyDelta(old, img);
  }

  // ---- messages (KafkaApis) ------------------------------------------------------------------

  /**
   * SocketServer → RequestChannel → KafkaRequestHandler: a request waits for a network thread, room in the
   * request queue, an I/O thread and a core (resources/cpu.ts), then KafkaApis handles it. Responses to
   * this broker's own requests (its fetchers, its lifecycle) are read by the client threads that sent them.
   */
  private admit(env: Envelope): void {
    const cost = requestCostUs(env);
    if (cost === undefined) return this.receive(env);
    const now = this.kernel.now;
    const at = this.requests.admit(now, cost.readUs, cost.handleUs);
    if (at > now) this.timerAt(at, () => this.receive(env));
    else this.receive(env);
  }

  private receive(env: Envelope): void {
    const rm = this.replicaManager;
    switch (env.kind) {
      case 'Produce':
        return rm.onProduce(env as Envelope<P.ProduceRequest>);
      case 'Fetch':
        return rm.fetchPurgatory.onFetch(env as Envelope<P.FetchRequest>);
      case 'FetchResponse':
        return rm.fetcherManager.onFetchResponse(env as Envelope<P.FetchResponse>);
      case 'OffsetsForLeaderEpoch':
        return rm.onOffsetsForLeaderEpoch(env as Envelope<P.OffsetsForLeaderEpochRequest>);
      case 'OffsetsForLeaderEpochResponse':
        return rm.fetcherManager.onOffsetsForLeaderEpochResponse(env as Envelope<P.OffsetsForLeaderEpochResponse>);
      case 'Metadata':
        return this.onClientMetadata(env as Envelope<P.MetadataRequest>);
      case 'MetadataFetchResponse':
        return this.lifecycle.onMetadataFetchResponse(env.payload as P.MetadataFetchResponse);
      case 'BrokerHeartbeatResponse':
        return this.lifecycle.onHeartbeatResponse(env.payload as P.BrokerHeartbeatResponse);
      case 'BrokerRegistrationResponse':
        return this.lifecycle.onRegistrationResponse(env.payload as P.BrokerRegistrationResponse);
      case 'AlterPartitionResponse':
        return rm.onAlterPartitionResponse(env.payload as P.AlterPartitionResponse);
      default:
        this.groupCoordinator.receive(env);
    }
  }

  private onClientMetadata(env: Envelope<P.MetadataRequest>): void {
    // Not reached without an image: a restarted broker accepts connections only once it has caught up.
    if (this.image === null) return;
    this.net.reply<P.MetadataResponse>(env, 'MetadataResponse', 256, { correlationId: env.payload.correlationId, image: this.image });
  }

  // ---- periodic tasks (LogManager) -----------------------------------------------------------

  private checkpointHwLoop(): void {
    for (const log of this.logs.values()) log.hwCheckpoint = log.hw;
    this.timer(5_000_000, () => this.checkpointHwLoop());
  }

  /** LogManager's flush-log task: fsync logs whose last flush is older than their flush.ms. */
  private flushLoop(): void {
    const now = this.kernel.now;
    for (const lp of this.replicaManager.allPartitions.values()) {
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
    return this.replicaManager.getPartition(tp)?.role === 'leader' && this.alive;
  }
}
