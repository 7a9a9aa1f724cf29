/**
 * The KRaft controller (one active controller; the quorum's own replication is not modelled).
 * It registers brokers, tracks their heartbeats, fences a broker silent for
 * broker.session.timeout.ms, elects leaders (PartitionChangeBuilder's rules), commits ISR changes
 * sent by leaders (AlterPartition), runs controlled shutdowns and preferred-leader elections, and
 * serves the metadata image to brokers that fetch it.
 */
import { produce } from 'immer';
import type { Kernel } from '../../kernel/kernel.js';
import { NO_LEADER, type MetadataImage, type PartitionState } from '../metadata.js';
import type { Envelope, Network } from '../../resources/network.js';
import { Process } from '../../kernel/process.js';
import type * as P from '../protocol.js';
import type { Trace } from '../../trace/bus.js';

export interface ControllerConfig {
  brokerSessionTimeoutMs: number;
  autoLeaderRebalanceEnable: boolean;
  leaderImbalanceCheckIntervalSec: number;
  /** Kafka 4.x Eligible Leader Replicas (KIP-966). */
  elrEnabled: boolean;
}

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

interface ParkedMetadataFetch {
  env: Envelope<P.MetadataFetchRequest>;
  untilUs: number;
}

const METADATA_FETCH_WAIT_US = 500_000;

export class Controller extends Process {
  image: MetadataImage;
  private readonly sessions = new Map<number, BrokerSession>();
  private parked: ParkedMetadataFetch[] = [];
  private nextBrokerEpoch = 1000;

  constructor(
    kernel: Kernel,
    private readonly net: Network,
    private readonly trace: Trace,
    private readonly cfg: ControllerConfig,
    initial: MetadataImage,
  ) {
    super(kernel, 'ctl');
    this.image = initial;
    net.attach(this, (env) => this.receive(env));
  }

  /** At time 0 the cluster is already formed: every broker has a live session. */
  adoptBroker(broker: number, incarnation: number): void {
    this.sessions.set(broker, { lastHeartbeatUs: this.kernel.now, registeredAtVersion: 0, shutdownAtVersion: -1, incarnation, checking: false });
    this.scheduleSessionCheck(broker);
  }

  start(): void {
    this.markStarted();
    // Sessions restart from now: a restarted controller gives every broker a fresh session.
    for (const s of this.sessions.values()) {
      s.lastHeartbeatUs = this.kernel.now;
      s.checking = false; // its timers died with the old process
    }
    for (const id of this.sessionIds()) this.scheduleSessionCheck(id);
    if (this.cfg.autoLeaderRebalanceEnable) this.scheduleRebalance();
  }

  crash(): void {
    this.markDown();
    this.parked = [];
  }

  private sessionIds(): number[] {
    return [...this.sessions.keys()].sort((a, b) => a - b);
  }

  // ---- messages ------------------------------------------------------------------------------

  private receive(env: Envelope): void {
    switch (env.kind) {
      case 'BrokerRegistration':
        return this.onRegistration(env as Envelope<P.BrokerRegistrationRequest>);
      case 'BrokerHeartbeat':
        return this.onHeartbeat(env as Envelope<P.BrokerHeartbeatRequest>);
      case 'MetadataFetch':
        return this.onMetadataFetch(env as Envelope<P.MetadataFetchRequest>);
      case 'AlterPartition':
        return this.onAlterPartition(env as Envelope<P.AlterPartitionRequest>);
    }
  }

  private reply<T>(env: Envelope, kind: string, bytes: number, payload: T): void {
    this.net.send(this.node, env.from, kind, bytes, payload);
  }

  private onRegistration(env: Envelope<P.BrokerRegistrationRequest>): void {
    const { broker, incarnation } = env.payload;
    const s = this.sessions.get(broker);
    const reg = this.image.brokers[broker];
    // KRaft refuses a new incarnation while the old one still has a live session.
    if (s !== undefined && reg !== undefined && !reg.fenced && s.incarnation !== incarnation && this.sessionValid(s)) {
      this.reply<P.BrokerRegistrationResponse>(env, 'BrokerRegistrationResponse', 32, { error: 'DUPLICATE_BROKER_REGISTRATION', brokerEpoch: -1 });
      return;
    }
    const epoch = this.nextBrokerEpoch++;
    const wasFenced = reg === undefined || reg.fenced;
    this.commit((d) => {
      d.brokers[broker] = { id: broker, epoch, fenced: true, inControlledShutdown: false };
    });
    if (!wasFenced) this.fenceBroker(broker, 'registered');
    this.sessions.set(broker, {
      lastHeartbeatUs: this.kernel.now,
      registeredAtVersion: this.image.version,
      shutdownAtVersion: -1,
      incarnation,
      checking: false,
    });
    this.scheduleSessionCheck(broker);
    this.reply<P.BrokerRegistrationResponse>(env, 'BrokerRegistrationResponse', 32, { error: 'NONE', brokerEpoch: epoch });
  }

  private onHeartbeat(env: Envelope<P.BrokerHeartbeatRequest>): void {
    const hb = env.payload;
    const reg = this.image.brokers[hb.broker];
    const s = this.sessions.get(hb.broker);
    if (reg === undefined || s === undefined || reg.epoch !== hb.brokerEpoch) {
      this.reply<P.BrokerHeartbeatResponse>(env, 'BrokerHeartbeatResponse', 32, { error: 'STALE_BROKER_EPOCH', fenced: true, shouldShutDown: false });
      return;
    }
    s.lastHeartbeatUs = this.kernel.now;
    this.scheduleSessionCheck(hb.broker);
    if (hb.wantShutDown && !reg.inControlledShutdown) this.beginControlledShutdown(hb.broker);
    else if (reg.fenced && !hb.wantShutDown && hb.metadataVersion >= s.registeredAtVersion) this.unfenceBroker(hb.broker);
    const now = this.image.brokers[hb.broker];
    const shouldShutDown = now.inControlledShutdown && hb.metadataVersion >= s.shutdownAtVersion;
    this.reply<P.BrokerHeartbeatResponse>(env, 'BrokerHeartbeatResponse', 32, { error: 'NONE', fenced: now.fenced, shouldShutDown });
  }

  private onMetadataFetch(env: Envelope<P.MetadataFetchRequest>): void {
    if (env.payload.version < this.image.version) this.sendImage(env);
    else {
      const untilUs = this.kernel.now + METADATA_FETCH_WAIT_US;
      const parked = { env, untilUs };
      this.parked.push(parked);
      this.timerAt(untilUs, () => {
        const i = this.parked.indexOf(parked);
        if (i >= 0) {
          this.parked.splice(i, 1);
          this.sendImage(env);
        }
      });
    }
  }

  private sendImage(env: Envelope<P.MetadataFetchRequest>): void {
    const bytes = 64 + (this.image.version - env.payload.version > 0 ? 128 : 0);
    this.reply<P.MetadataFetchResponse>(env, 'MetadataFetchResponse', bytes, { image: this.image });
  }

  private onAlterPartition(env: Envelope<P.AlterPartitionRequest>): void {
    const req = env.payload;
    const p = this.image.partitions[req.tp];
    const reg = this.image.brokers[req.broker];
    let error: P.AlterPartitionResponse['error'] = 'NONE';
    if (reg === undefined || reg.epoch !== req.brokerEpoch || p.leader !== req.broker || p.leaderEpoch !== req.leaderEpoch) error = 'FENCED_LEADER_EPOCH';
    else if (p.partitionEpoch !== req.partitionEpoch) error = 'INVALID_UPDATE_VERSION';
    else if (req.newIsr.some((b) => !p.isr.includes(b) && !this.eligible(b))) error = 'INELIGIBLE_REPLICA';
    if (error === 'NONE') {
      const prev = p.isr;
      const grew = req.newIsr.length > prev.length;
      this.updatePartition(req.tp, (d) => {
        d.isr = [...req.newIsr];
        this.updateElr(d, prev);
      });
      this.emitIsr(req.tp, prev, grew ? 'expand' : 'shrink');
    }
    this.reply<P.AlterPartitionResponse>(env, 'AlterPartitionResponse', 64, { tp: req.tp, error, state: this.image.partitions[req.tp] });
  }

  // ---- sessions, fencing, shutdown --------------------------------------------------------------

  private sessionValid(s: BrokerSession): boolean {
    return this.kernel.now - s.lastHeartbeatUs < this.cfg.brokerSessionTimeoutMs * 1000;
  }

  /** Check the broker's session when it would expire (one pending check per session). */
  private scheduleSessionCheck(broker: number): void {
    const s = this.sessions.get(broker)!;
    if (s.checking) return;
    s.checking = true;
    this.timerAt(s.lastHeartbeatUs + this.cfg.brokerSessionTimeoutMs * 1000, () => {
      s.checking = false;
      const reg = this.image.brokers[broker];
      if (reg === undefined || this.sessions.get(broker) !== s) return;
      if (this.sessionValid(s)) this.scheduleSessionCheck(broker);
      else if (!reg.fenced) this.fenceBroker(broker, 'sessionTimeout');
      // A fenced broker's session is checked again when it heartbeats again or re-registers.
    });
  }

  /** A broker that may lead or join an ISR: registered, unfenced, not shutting down. */
  private eligible(b: number): boolean {
    const r = this.image.brokers[b];
    return r !== undefined && !r.fenced && !r.inControlledShutdown;
  }

  private fenceBroker(broker: number, reason: 'sessionTimeout' | 'registered'): void {
    this.commit((d) => {
      d.brokers[broker].fenced = true;
    });
    this.trace.emit({ type: 'fence', t: this.kernel.now, broker, fenced: true, reason: reason === 'registered' ? 'sessionTimeout' : reason });
    this.removeFromIsrsAndElect(broker, 'fenced', 'leaderFenced');
  }

  private unfenceBroker(broker: number): void {
    this.commit((d) => {
      d.brokers[broker].fenced = false;
    });
    this.trace.emit({ type: 'fence', t: this.kernel.now, broker, fenced: false, reason: 'caughtUp' });
    // Offline partitions this broker can now lead (handleBrokerUnfenced).
    for (const tp of this.sortedTps()) {
      const p = this.image.partitions[tp];
      if (p.leader === NO_LEADER && p.replicas.includes(broker)) this.elect(tp, 'offlinePartition');
    }
  }

  private beginControlledShutdown(broker: number): void {
    this.commit((d) => {
      d.brokers[broker].inControlledShutdown = true;
    });
    this.trace.emit({ type: 'fence', t: this.kernel.now, broker, fenced: false, reason: 'controlledShutdown' });
    this.removeFromIsrsAndElect(broker, 'shutdown', 'controlledShutdown');
    this.sessions.get(broker)!.shutdownAtVersion = this.image.version;
  }

  /**
   * handleBrokerFenced / handleBrokerInControlledShutdown: take the broker out of every ISR (never
   * leaving an ISR empty: the last member stays) and move its leaderships, one change per partition.
   */
  private removeFromIsrsAndElect(broker: number, isrReason: 'fenced' | 'shutdown', electReason: string): void {
    for (const tp of this.sortedTps()) {
      const p = this.image.partitions[tp];
      if (!p.isr.includes(broker) && p.leader !== broker) continue;
      const targetIsr = p.isr.length > 1 ? p.isr.filter((b) => b !== broker) : p.isr;
      this.change(tp, electReason, isrReason, targetIsr);
    }
  }

  // ---- elections ------------------------------------------------------------------------------

  /** Elect a leader for `tp` if it needs one (ONLINE election). */
  elect(tp: string, reason: string): void {
    this.change(tp, reason, 'election', this.image.partitions[tp].isr);
  }

  /**
   * One PartitionChangeRecord: a new ISR and, if needed, a new leader (PartitionChangeBuilder).
   * electLeader: keep a valid leader; else the first replica in assignment order that is in the ISR
   * and eligible; else (KIP-966) the first eligible ELR member; else, if the topic allows it, the
   * first eligible replica (unclean: the ISR becomes just it); else no leader.
   */
  private change(tp: string, reason: string, isrReason: 'fenced' | 'shutdown' | 'election', targetIsr: number[], preferred = false): void {
    const p = this.image.partitions[tp];
    const topic = this.image.topics[p.topic];
    const validLeader = (b: number) => b !== NO_LEADER && targetIsr.includes(b) && this.eligible(b);
    let leader = p.leader;
    let clean = true;
    if (preferred) {
      if (validLeader(p.replicas[0])) leader = p.replicas[0];
    } else if (!validLeader(p.leader)) {
      leader = p.replicas.find(validLeader) ?? NO_LEADER;
      if (leader === NO_LEADER && this.cfg.elrEnabled) leader = p.replicas.find((b) => p.elr.includes(b) && this.eligible(b)) ?? NO_LEADER;
      if (leader === NO_LEADER && topic.uncleanLeaderElectionEnable) {
        leader = p.replicas.find((b) => this.eligible(b)) ?? NO_LEADER;
        clean = leader === NO_LEADER;
      }
    }
    const leaderChanged = leader !== p.leader;
    const isrChanged = !sameList(targetIsr, p.isr);
    if (!leaderChanged && !isrChanged) return;
    const prevLeader = p.leader;
    const prevIsr = p.isr;
    this.updatePartition(tp, (d) => {
      d.isr = [...targetIsr];
      this.updateElr(d, prevIsr);
      if (!leaderChanged) return;
      d.leader = leader;
      d.leaderEpoch++;
      if (!clean) {
        d.isr = [leader];
        d.elr = [];
      } else if (leader !== NO_LEADER && !d.isr.includes(leader)) {
        // Elected from the ELR: the ISR becomes just it.
        d.isr = [leader];
        d.elr = d.elr.filter((b) => b !== leader);
      }
    });
    const now = this.image.partitions[tp];
    if (leaderChanged) {
      this.trace.emit({
        type: 'election', t: this.kernel.now, tp, leader, prevLeader, epoch: now.leaderEpoch,
        clean, isr: [...now.isr], reason: leader === NO_LEADER ? 'offline' : !clean ? 'unclean' : preferred ? 'preferred' : reason,
      });
    }
    if (!sameList(now.isr, prevIsr)) this.emitIsr(tp, prevIsr, leaderChanged && isrReason === 'election' ? 'election' : isrReason);
  }

  private scheduleRebalance(): void {
    this.timer(this.cfg.leaderImbalanceCheckIntervalSec * 1_000_000, () => {
      for (const tp of this.sortedTps()) this.change(tp, 'preferred', 'election', this.image.partitions[tp].isr, true);
      this.scheduleRebalance();
    });
  }

  // ---- bookkeeping ----------------------------------------------------------------------------

  /** KIP-966: replicas leaving the ISR while it is below min ISR join the ELR; it clears at min ISR. */
  private updateElr(d: PartitionState, prevIsr: number[]): void {
    if (!this.cfg.elrEnabled) return;
    const minIsr = this.image.topics[d.topic].minInsyncReplicas;
    if (d.isr.length >= minIsr) {
      d.elr = [];
      return;
    }
    for (const b of prevIsr) if (!d.isr.includes(b) && !d.elr.includes(b)) d.elr.push(b);
    d.elr = d.elr.filter((b) => !d.isr.includes(b));
  }

  private emitIsr(tp: string, prev: number[], reason: 'shrink' | 'expand' | 'fenced' | 'shutdown' | 'election'): void {
    const p = this.image.partitions[tp];
    this.trace.emit({ type: 'isr', t: this.kernel.now, tp, isr: [...p.isr], prev: [...prev], elr: [...p.elr], partitionEpoch: p.partitionEpoch, reason });
  }

  private sortedTps(): string[] {
    return Object.keys(this.image.partitions);
  }

  private updatePartition(tp: string, fn: (d: PartitionState) => void): void {
    this.commit((d) => {
      const p = d.partitions[tp];
      fn(p);
      p.partitionEpoch++;
    });
  }

  /** Apply a change as one metadata record: bump the version and wake parked metadata fetches. */
  private commit(fn: (d: MetadataImage) => void): void {
    this.image = produce(this.image, (d) => {
      fn(d);
      d.version++;
    });
    const parked = this.parked;
    this.parked = [];
    for (const p of parked) this.sendImage(p.env);
  }
}

function sameList(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
