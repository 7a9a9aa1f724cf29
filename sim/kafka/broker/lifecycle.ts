/**
 * The broker's relation with the controller, following Kafka's BrokerLifecycleManager (registration,
 * heartbeats, fencing, controlled shutdown) and the metadata catch-up that BrokerServer waits for
 * (here a MetadataFetch loop instead of the KRaft log). Split from the broker because Kafka keeps this
 * state machine in its own class, apart from replication.
 */
import type { BrokerContext } from './context.js';
import type { MetadataImage } from '../metadata.js';
import type * as P from '../protocol.js';

/**
 * The metadata fetches travel on their own connection to the controller (in KRaft the metadata log is
 * fetched by the Raft client, apart from the heartbeat channel), so closing one does not close the other.
 */
const METADATA_CHANNEL = 'metadata';

export class BrokerLifecycleManager {
  private metadataInflight = false;
  private metadataAttempt = 0;
  /** A heartbeat answer arrived since the controlled shutdown began (BrokerLifecycleManager's flag). */
  private gotControlledShutdownResponse = false;
  /**
   * Log directories (indexes in log.dirs) that failed while this process ran, and whether a heartbeat
   * telling the controller of each was answered (BrokerLifecycleManager.offlineDirs).
   */
  private offlineDirs = new Map<number, boolean>();

  constructor(private readonly broker: BrokerContext) {}

  /** A new process incarnation: no metadata request in flight. */
  reset(): void {
    this.metadataInflight = false;
    this.gotControlledShutdownResponse = false;
    this.offlineDirs = new Map();
  }

  /**
   * BrokerLifecycleManager.propagateDirectoryFailure: tell the controller of failed log directory `dir` in
   * a heartbeat sent at once (and in every heartbeat after), and shut down if no heartbeat telling it is
   * answered within log.dir.failure.timeout.ms ("Shutting down because couldn't communicate offline log
   * dir ... with controllers").
   */
  propagateDirectoryFailure(dir: number): void {
    const b = this.broker;
    this.offlineDirs.set(dir, false);
    this.sendHeartbeat();
    if (!Number.isFinite(b.cfg.logDirFailureTimeoutMs)) return;
    b.timer(b.cfg.logDirFailureTimeoutMs * 1000, () => {
      if (this.offlineDirs.get(dir) === false) b.shutdown('logDirFailureTimeout');
    });
  }

  /**
   * At time 0 the cluster is already formed (`bootstrap` gives the image and the broker epoch); a
   * restart registers with the controller, catches up metadata and waits to be unfenced.
   */
  startup(bootstrap?: { image: MetadataImage; brokerEpoch: number }): void {
    const b = this.broker;
    if (bootstrap !== undefined) {
      b.brokerEpoch = bootstrap.brokerEpoch;
      b.fenced = false;
      // Act once every broker of the formed cluster is up (they all start at time 0).
      b.timer(0, () => {
        b.applyImage(bootstrap.image);
        this.heartbeatLoop();
        this.fetchMetadata();
      });
    } else {
      b.image = null;
      b.fenced = true;
      b.brokerEpoch = -1;
      this.register();
    }
  }

  /** The controller's process died (or refused us): retry the metadata fetch after a backoff. */
  onControllerDisconnect(): void {
    if (!this.metadataInflight) return;
    this.metadataInflight = false;
    this.metadataAttempt++;
    this.broker.timer(this.broker.cfg.replicaFetchBackoffMs * 1000, () => this.fetchMetadata());
  }

  private register(): void {
    const b = this.broker;
    const offline = b.offlineReplicas();
    b.net.send<P.BrokerRegistrationRequest>(b.node, 'ctl', 'BrokerRegistration', 128, {
      broker: b.id,
      incarnation: b.incarnation,
      previousBrokerEpoch: b.previousBrokerEpoch,
      ...(offline !== undefined ? { offlineReplicas: offline } : {}),
    });
    // No answer (controller down or unreachable): close the connection, so a registration held on a cut
    // link is not delivered late beside the next one, and try again on a new connection.
    const inc = b.incarnation;
    b.timer(b.cfg.brokerHeartbeatIntervalMs * 1000, () => {
      if (b.brokerEpoch >= 0 || inc !== b.incarnation) return;
      b.net.close(b.node, 'ctl', 'registration timed out');
      this.register();
    });
  }

  onRegistrationResponse(r: P.BrokerRegistrationResponse): void {
    if (this.broker.brokerEpoch >= 0) return;
    if (r.error !== 'NONE') return; // retried by the timer in register()
    this.broker.brokerEpoch = r.brokerEpoch;
    this.fetchMetadata();
    this.heartbeatLoop();
  }

  private heartbeatLoop(): void {
    this.sendHeartbeat();
    this.broker.timer(this.broker.cfg.brokerHeartbeatIntervalMs * 1000, () => this.heartbeatLoop());
  }

  sendHeartbeat(): void {
    const b = this.broker;
    if (b.brokerEpoch < 0) return;
    const offline = b.offlineReplicas();
    b.net.send<P.BrokerHeartbeatRequest>(b.node, 'ctl', 'BrokerHeartbeat', 64, {
      broker: b.id,
      brokerEpoch: b.brokerEpoch,
      metadataVersion: b.image?.version ?? -1,
      wantShutDown: b.shuttingDown,
      ...(offline !== undefined ? { offlineReplicas: offline } : {}),
      ...(this.offlineDirs.size > 0 ? { offlineDirs: [...this.offlineDirs.keys()] } : {}),
    });
  }

  onHeartbeatResponse(r: P.BrokerHeartbeatResponse): void {
    const b = this.broker;
    if (r.error === 'STALE_BROKER_EPOCH') {
      // The controller no longer knows this incarnation: register again.
      b.brokerEpoch = -1;
      this.register();
      return;
    }
    for (const dir of r.offlineDirs ?? []) if (this.offlineDirs.has(dir)) this.offlineDirs.set(dir, true);
    const wasFenced = b.fenced;
    b.fenced = r.fenced;
    // BrokerServer.startup waits for "the broker to be unfenced", then enables request processing: the
    // listeners open (once; a broker fenced again later keeps them open).
    if (wasFenced && !r.fenced) b.net.setAccepting(b.node, true);
    if (r.shouldShutDown && b.shuttingDown) b.stopCleanly();
    else if (b.shuttingDown) {
      // PENDING_CONTROLLED_SHUTDOWN: after the first answer, ask again 50 ms later rather than a whole
      // heartbeat interval, since a controlled shutdown often completes quickly.
      if (!this.gotControlledShutdownResponse) b.timer(50_000, () => this.sendHeartbeat());
      this.gotControlledShutdownResponse = true;
    } else if (wasFenced && !r.fenced) this.sendHeartbeat();
  }

  private fetchMetadata(): void {
    if (this.metadataInflight) return;
    this.metadataInflight = true;
    const b = this.broker;
    const attempt = ++this.metadataAttempt;
    b.net.send<P.MetadataFetchRequest>(b.node, 'ctl', 'MetadataFetch', 64, { node: b.node, version: b.image?.version ?? -1 }, METADATA_CHANNEL);
    // If the controller does not answer (down or cut off), close the connection and try again on a new one.
    b.timer(b.cfg.replicaSocketTimeoutMs * 1000, () => {
      if (attempt === this.metadataAttempt && this.metadataInflight) {
        b.net.close(b.node, 'ctl', 'metadata fetch timed out', METADATA_CHANNEL);
        this.metadataInflight = false;
        this.fetchMetadata();
      }
    });
  }

  onMetadataFetchResponse(r: P.MetadataFetchResponse): void {
    const b = this.broker;
    this.metadataInflight = false;
    const caughtUpBefore = b.image !== null;
    if (b.image === null || r.image.version > b.image.version) {
      b.applyImage(r.image);
      b.trace.emit({ type: 'metadata', t: b.kernel.now, node: b.node, version: r.image.version });
      // A fenced broker that has caught up heartbeats at once to be unfenced sooner.
      if (!caughtUpBefore || b.fenced) this.sendHeartbeat();
    }
    this.fetchMetadata();
  }
}
