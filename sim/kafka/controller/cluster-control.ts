/**
 * Broker sessions on the controller, following Kafka's ClusterControlManager (registration, broker
 * epochs) with the heartbeat handling of BrokerHeartbeatManager: a broker silent for
 * broker.session.timeout.ms is fenced, a caught-up one is unfenced, and a controlled shutdown begins
 * when it asks. Split from the controller because Kafka keeps broker membership apart from partition
 * state (ReplicationControlManager), which it calls for the ISR and leadership consequences.
 */
import type { ControllerContext } from './context.js';
import type { Envelope } from '../../resources/network.js';
import type * as P from '../protocol.js';

interface BrokerSession {
  lastHeartbeatUs: number;
  /** Metadata version at which the broker registered: it is unfenced once caught up to it. */
  registeredAtVersion: number;
  /** Metadata version of the controlled-shutdown changes, once begun. */
  shutdownAtVersion: number;
  /** A session-expiry check is scheduled. */
  checking: boolean;
  incarnation: number;
}

export class ClusterControlManager {
  private readonly sessions = new Map<number, BrokerSession>();
  private nextBrokerEpoch = 1000;

  constructor(private readonly ctl: ControllerContext) {}

  /** At time 0 the cluster is already formed: every broker has a live session. */
  adoptBroker(broker: number, incarnation: number): void {
    this.sessions.set(broker, { lastHeartbeatUs: this.ctl.kernel.now, registeredAtVersion: 0, shutdownAtVersion: -1, incarnation, checking: false });
    this.scheduleSessionCheck(broker);
  }

  /** Sessions restart from now: a restarted controller gives every broker a fresh session. */
  restartSessions(): void {
    for (const s of this.sessions.values()) {
      s.lastHeartbeatUs = this.ctl.kernel.now;
      s.checking = false; // its timers died with the old process
    }
    for (const id of this.sessionIds()) this.scheduleSessionCheck(id);
  }

  private sessionIds(): number[] {
    return [...this.sessions.keys()].sort((a, b) => a - b);
  }

  /**
   * ClusterControlManager.registerBroker. A new incarnation is handled as a shutdown
   * (ReplicationControlManager.handleBrokerShutdown): with ELR on (4.x) and no clean shutdown behind it
   * (previousBrokerEpoch differs from the registered epoch), handleBrokerUncleanShutdown takes the broker
   * out of every ISR and ELR; otherwise it leaves the ISRs as if fenced.
   */
  onRegistration(env: Envelope<P.BrokerRegistrationRequest>): void {
    const ctl = this.ctl;
    const { broker, incarnation, previousBrokerEpoch } = env.payload;
    const s = this.sessions.get(broker);
    const reg = ctl.image.brokers[broker];
    // KRaft refuses a new incarnation while the old one still has a live session.
    if (s !== undefined && reg !== undefined && !reg.fenced && s.incarnation !== incarnation && this.sessionValid(s)) {
      ctl.reply<P.BrokerRegistrationResponse>(env, 'BrokerRegistrationResponse', 32, { error: 'DUPLICATE_BROKER_REGISTRATION', brokerEpoch: -1 });
      return;
    }
    const epoch = this.nextBrokerEpoch++;
    const wasFenced = reg === undefined || reg.fenced;
    const newIncarnation = s === undefined || s.incarnation !== incarnation;
    const unclean = newIncarnation && ctl.cfg.elrEnabled && (reg === undefined || reg.epoch !== previousBrokerEpoch);
    ctl.commit((d) => {
      d.brokers[broker] = { id: broker, epoch, fenced: true, inControlledShutdown: false };
    });
    if (!wasFenced) this.fenceBroker(broker, 'registered', !unclean);
    if (unclean) ctl.replicationControl.handleBrokerUncleanShutdown(broker);
    ctl.replicationControl.handleRegisteredDirectories(broker, env.payload.offlineReplicas ?? []);
    this.sessions.set(broker, {
      lastHeartbeatUs: ctl.kernel.now,
      registeredAtVersion: ctl.image.version,
      shutdownAtVersion: -1,
      incarnation,
      checking: false,
    });
    this.scheduleSessionCheck(broker);
    ctl.reply<P.BrokerRegistrationResponse>(env, 'BrokerRegistrationResponse', 32, { error: 'NONE', brokerEpoch: epoch });
  }

  onHeartbeat(env: Envelope<P.BrokerHeartbeatRequest>): void {
    const ctl = this.ctl;
    const hb = env.payload;
    const reg = ctl.image.brokers[hb.broker];
    const s = this.sessions.get(hb.broker);
    if (reg === undefined || s === undefined || reg.epoch !== hb.brokerEpoch) {
      ctl.reply<P.BrokerHeartbeatResponse>(env, 'BrokerHeartbeatResponse', 32, { error: 'STALE_BROKER_EPOCH', fenced: true, shouldShutDown: false });
      return;
    }
    s.lastHeartbeatUs = ctl.kernel.now;
    this.scheduleSessionCheck(hb.broker);
    if (hb.offlineReplicas !== undefined) ctl.replicationControl.handleDirectoriesOffline(hb.broker, hb.offlineReplicas);
    if (hb.wantShutDown && !reg.inControlledShutdown) this.beginControlledShutdown(hb.broker);
    else if (reg.fenced && !hb.wantShutDown && hb.metadataVersion >= s.registeredAtVersion) this.unfenceBroker(hb.broker);
    const shouldShutDown = ctl.image.brokers[hb.broker].inControlledShutdown && hb.metadataVersion >= s.shutdownAtVersion;
    // BrokerHeartbeatManager.calculateNextBrokerState: CONTROLLED_SHUTDOWN -> SHUTDOWN_NOW, and
    // processBrokerHeartbeat fences the broker at once (handleBrokerFenced): a fenced broker has no valid
    // session, so its next incarnation may register right away.
    if (shouldShutDown && !ctl.image.brokers[hb.broker].fenced) this.fenceBroker(hb.broker, 'shutdownNow');
    const now = ctl.image.brokers[hb.broker];
    ctl.reply<P.BrokerHeartbeatResponse>(env, 'BrokerHeartbeatResponse', 32, {
      error: 'NONE',
      fenced: now.fenced,
      shouldShutDown,
      ...(hb.offlineDirs !== undefined ? { offlineDirs: hb.offlineDirs } : {}),
    });
  }

  private sessionValid(s: BrokerSession): boolean {
    return this.ctl.kernel.now - s.lastHeartbeatUs < this.ctl.cfg.brokerSessionTimeoutMs * 1000;
  }

  /** Check the broker's session when it would expire (one pending check per session). */
  private scheduleSessionCheck(broker: number): void {
    const s = this.sessions.get(broker)!;
    if (s.checking) return;
    s.checking = true;
    this.ctl.timerAt(s.lastHeartbeatUs + this.ctl.cfg.brokerSessionTimeoutMs * 1000, () => {
      s.checking = false;
      const reg = this.ctl.image.brokers[broker];
      if (reg === undefined || this.sessions.get(broker) !== s) return;
      if (this.sessionValid(s)) this.scheduleSessionCheck(broker);
      else if (!reg.fenced) this.fenceBroker(broker, 'sessionTimeout');
      // A fenced broker's session is checked again when it heartbeats again or re-registers.
    });
  }

  private fenceBroker(broker: number, reason: 'sessionTimeout' | 'registered' | 'shutdownNow', leaveIsrs = true): void {
    const ctl = this.ctl;
    ctl.commit((d) => {
      d.brokers[broker].fenced = true;
    });
    ctl.trace.emit({ type: 'fence', t: ctl.kernel.now, broker, fenced: true, reason });
    if (leaveIsrs) ctl.replicationControl.removeFromIsrsAndElect(broker, 'fenced', 'leaderFenced');
  }

  private unfenceBroker(broker: number): void {
    const ctl = this.ctl;
    ctl.commit((d) => {
      d.brokers[broker].fenced = false;
    });
    ctl.trace.emit({ type: 'fence', t: ctl.kernel.now, broker, fenced: false, reason: 'caughtUp' });
    ctl.replicationControl.handleBrokerUnfenced(broker);
  }

  /**
   * ReplicationControlManager.unregisterBroker / handleBrokerUnregistered (Admin UnregisterBroker, KIP-500's
   * kafka-cluster unregister): the broker leaves every ISR and leadership and its registration is removed
   * (UnregisterBrokerRecord). Returns Kafka's error, or undefined.
   */
  unregisterBroker(broker: number): string | undefined {
    const ctl = this.ctl;
    if (ctl.image.brokers[broker] === undefined) return `BROKER_ID_NOT_REGISTERED: Broker ID ${broker} is not currently registered`;
    ctl.commit((d) => {
      delete d.brokers[broker];
    });
    this.sessions.delete(broker);
    ctl.trace.emit({ type: 'fence', t: ctl.kernel.now, broker, fenced: true, reason: 'unregistered' });
    ctl.replicationControl.removeFromIsrsAndElect(broker, 'unregistered', 'unregistered');
    return undefined;
  }

  private beginControlledShutdown(broker: number): void {
    const ctl = this.ctl;
    ctl.commit((d) => {
      d.brokers[broker].inControlledShutdown = true;
    });
    ctl.trace.emit({ type: 'fence', t: ctl.kernel.now, broker, fenced: false, reason: 'controlledShutdown' });
    ctl.replicationControl.removeFromIsrsAndElect(broker, 'shutdown', 'controlledShutdown');
    this.sessions.get(broker)!.shutdownAtVersion = ctl.image.version;
  }
}
