/**
 * Partition state on the controller, following Kafka's ReplicationControlManager and
 * PartitionChangeBuilder (4.1): ISR changes sent by leaders (AlterPartition), leader elections (clean,
 * from the ELR of KIP-966, of the last known leader, or unclean), the consequences of a broker being
 * fenced, unfenced, shut down or re-registering after an unclean shutdown, and preferred-leader
 * rebalancing. Split from the controller because Kafka keeps partition state apart from broker
 * membership (ClusterControlManager).
 */
import type { ControllerContext, ReplicationControl } from './context.js';
import type { Envelope } from '../../resources/network.js';
import { NO_LEADER, type PartitionState } from '../metadata.js';
import type * as P from '../protocol.js';
import type { IsrEvent } from '../../trace/events.js';

type IsrReason = IsrEvent['reason'];

/** PartitionChangeBuilder.Election: PREFERRED, ONLINE, or UNCLEAN (unclean.leader.election.enable). */
type Election = 'PREFERRED' | 'ONLINE' | 'UNCLEAN';

/** ElectLeadersResponse's error for one partition (NONE: its leader moved). */
export type ElectResult = 'NONE' | 'ELECTION_NOT_NEEDED' | 'PREFERRED_LEADER_NOT_AVAILABLE';

/** What one PartitionChangeBuilder is given: the target ISR and who may lead. */
interface ChangeInput {
  targetIsr: number[];
  preferred?: boolean;
  /** handleBrokerUncleanShutdown's brokerWithUncleanShutdown: out of ISR, ELR and leadership. */
  uncleanShutdown?: number;
  /** The leader's AlterPartition carries LeaderRecoveryState.RECOVERED. */
  recovered?: boolean;
}

/** The outcome of PartitionChangeBuilder.build(): the new partition fields, or null for a no-op. */
interface Change {
  leader: number;
  unclean: boolean;
  lastKnownLeader: boolean;
  isr: number[];
  elr: number[];
  lastKnownElr: number[];
  recovery: PartitionState['leaderRecoveryState'];
}

export class ReplicationControlManager implements ReplicationControl {
  constructor(private readonly ctl: ControllerContext) {}

  onAlterPartition(env: Envelope<P.AlterPartitionRequest>): void {
    const ctl = this.ctl;
    const req = env.payload;
    const p = ctl.image.partitions[req.tp];
    const reg = ctl.image.brokers[req.broker];
    let error: P.AlterPartitionResponse['error'] = 'NONE';
    if (reg === undefined || reg.epoch !== req.brokerEpoch || p.leader !== req.broker || p.leaderEpoch !== req.leaderEpoch) error = 'FENCED_LEADER_EPOCH';
    else if (p.partitionEpoch !== req.partitionEpoch) error = 'INVALID_UPDATE_VERSION';
    else if (req.newIsr.some((b) => !p.isr.includes(b) && !this.eligible(b))) error = 'INELIGIBLE_REPLICA';
    if (error === 'NONE') {
      const grew = req.newIsr.length > p.isr.length;
      this.change(req.tp, 'alterPartition', grew ? 'expand' : 'shrink', { targetIsr: req.newIsr, recovered: true });
    }
    ctl.reply<P.AlterPartitionResponse>(env, 'AlterPartitionResponse', 64, { tp: req.tp, error, state: ctl.image.partitions[req.tp] });
  }

  /** ClusterControlManager.isActive: registered, unfenced, not in controlled shutdown. */
  private eligible(b: number): boolean {
    const r = this.ctl.image.brokers[b];
    return r !== undefined && !r.fenced && !r.inControlledShutdown;
  }

  /**
   * handleBrokerFenced / handleBrokerInControlledShutdown: take the broker out of every ISR and move its
   * leaderships, one change per partition. Without ELR the last ISR member stays; with ELR (4.x) the ISR
   * may become empty, the fenced member joining the ELR.
   */
  removeFromIsrsAndElect(broker: number, isrReason: 'fenced' | 'shutdown', electReason: string): void {
    for (const tp of this.sortedTps()) {
      const p = this.ctl.image.partitions[tp];
      if (!p.isr.includes(broker) && p.leader !== broker) continue;
      this.change(tp, electReason, isrReason, { targetIsr: p.isr.filter((b) => b !== broker) });
    }
  }

  /**
   * handleBrokerUncleanShutdown (4.x, ELR on): a broker that registers again without having shut down
   * cleanly may have lost records it acknowledged; it leaves every ISR and ELR it is in.
   */
  handleBrokerUncleanShutdown(broker: number): void {
    for (const tp of this.sortedTps()) {
      const p = this.ctl.image.partitions[tp];
      if (!p.isr.includes(broker) && !p.elr.includes(broker)) continue;
      this.change(tp, 'uncleanShutdown', 'uncleanShutdown', { targetIsr: p.isr.filter((b) => b !== broker), uncleanShutdown: broker });
    }
  }

  /** handleBrokerUnfenced: offline partitions this broker can now lead. */
  handleBrokerUnfenced(broker: number): void {
    for (const tp of this.sortedTps()) {
      const p = this.ctl.image.partitions[tp];
      if (p.leader === NO_LEADER && p.replicas.includes(broker)) this.elect(tp, 'offlinePartition');
    }
  }

  // ---- elections ------------------------------------------------------------------------------

  /** Elect a leader for `tp` if it needs one (ONLINE election). */
  elect(tp: string, reason: string): void {
    this.change(tp, reason, 'election', { targetIsr: this.ctl.image.partitions[tp].isr });
  }

  /**
   * ReplicationControlManager.electLeaders / electLeader with ElectionType.PREFERRED (Admin ElectLeaders,
   * kafka-leader-election --election-type preferred): per partition, ELECTION_NOT_NEEDED when its leader
   * is already the preferred replica; else a PartitionChangeBuilder with Election.PREFERRED, and
   * PREFERRED_LEADER_NOT_AVAILABLE when that builds no record (the preferred replica is not in the ISR or
   * not active, and the partition keeps its leader).
   */
  electPreferred(tps: readonly string[]): Map<string, ElectResult> {
    const out = new Map<string, ElectResult>();
    for (const tp of tps) {
      const p = this.ctl.image.partitions[tp];
      if (p.leader === p.replicas[0]) out.set(tp, 'ELECTION_NOT_NEEDED');
      else out.set(tp, this.change(tp, 'preferred', 'election', { targetIsr: p.isr, preferred: true }) ? 'NONE' : 'PREFERRED_LEADER_NOT_AVAILABLE');
    }
    return out;
  }

  /** One PartitionChangeRecord, if anything changes; traced as an election and/or an ISR change. Whether one was committed. */
  private change(tp: string, reason: string, isrReason: IsrReason, input: ChangeInput): boolean {
    const ctl = this.ctl;
    const p = ctl.image.partitions[tp];
    const c = this.build(p, input);
    if (c === null) return false;
    const prev = p;
    this.ctl.commit((d) => {
      const n = d.partitions[tp];
      if (c.leader !== prev.leader) {
        n.leader = c.leader;
        n.leaderEpoch++;
      }
      n.isr = c.isr;
      n.elr = c.elr;
      n.lastKnownElr = c.lastKnownElr;
      n.leaderRecoveryState = c.recovery;
      n.partitionEpoch++;
    });
    const now = ctl.image.partitions[tp];
    if (c.leader !== prev.leader) {
      const why = c.leader === NO_LEADER ? 'offline' : c.lastKnownLeader ? 'lastKnownLeader' : c.unclean ? 'unclean' : input.preferred ? 'preferred' : reason;
      ctl.trace.emit({ type: 'election', t: ctl.kernel.now, tp, leader: c.leader, prevLeader: prev.leader, epoch: now.leaderEpoch, clean: !c.unclean, isr: [...now.isr], reason: why });
    }
    const membersChanged = !sameList(now.isr, prev.isr) || !sameList(now.elr, prev.elr) || !sameList(now.lastKnownElr, prev.lastKnownElr);
    if (membersChanged) this.emitIsr(tp, prev.isr, isrReason);
    return true;
  }

  /**
   * PartitionChangeBuilder.build(): maybePopulateTargetElr, tryElection, maybeUpdateRecordElr, the new
   * ISR (empty only with ELR), maybeUpdateLastKnownLeader. Returns null when nothing changes.
   */
  private build(p: PartitionState, input: ChangeInput): Change | null {
    const elrOn = this.ctl.cfg.elrEnabled;
    const minIsr = this.ctl.image.topics[p.topic].minInsyncReplicas;
    let targetIsr = input.targetIsr;
    let targetElr = elrOn ? this.targetElr(p, targetIsr, minIsr, input.uncleanShutdown) : p.elr;
    const acceptable = (b: number) => b !== input.uncleanShutdown && this.eligible(b);
    const elected = this.electLeader(p, targetIsr, targetElr, acceptable, input.preferred === true);
    let isrSet: number[] | null = null;
    let recovery: PartitionState['leaderRecoveryState'] = input.recovered ? 'RECOVERED' : p.leaderRecoveryState;
    if (elected.leader !== p.leader) {
      if (targetElr.includes(elected.leader)) {
        targetIsr = [elected.leader];
        targetElr = targetElr.filter((b) => b !== elected.leader);
      }
      if (elected.unclean) {
        // An unclean leader: the ISR is forcibly just it. This can lose data (KIP-704: RECOVERING).
        isrSet = [elected.leader];
        recovery = 'RECOVERING';
      }
    }
    // maybeUpdateRecordElr: an unclean election or ELR off clears the ELR.
    if (isrSet !== null || !elrOn) targetElr = [];
    if (isrSet === null && (targetIsr.length > 0 || elrOn) && !sameList(targetIsr, p.isr)) isrSet = targetIsr;
    const isr = isrSet ?? p.isr;
    const lastKnownElr = elrOn ? this.lastKnownLeader(p, isrSet, elected.leader) : p.lastKnownElr;
    const c: Change = { leader: elected.leader, unclean: elected.unclean, lastKnownLeader: elected.lastKnown, isr: [...isr], elr: targetElr, lastKnownElr, recovery };
    const same = c.leader === p.leader && sameList(c.isr, p.isr) && sameList(c.elr, p.elr) && sameList(c.lastKnownElr, p.lastKnownElr) && c.recovery === p.leaderRecoveryState;
    return same ? null : c;
  }

  /**
   * maybePopulateTargetElr: at or above min ISR the ELR is empty; below it, the ELR is the current ISR and
   * ELR minus the target ISR and minus a broker back from an unclean shutdown (ascending, as Kafka's set).
   */
  private targetElr(p: PartitionState, targetIsr: number[], minIsr: number, uncleanShutdown: number | undefined): number[] {
    if (targetIsr.length >= minIsr) return [];
    const candidates = new Set([...p.elr, ...p.isr]);
    return [...candidates].filter((b) => !targetIsr.includes(b) && b !== uncleanShutdown).sort((a, b) => a - b);
  }

  /**
   * PartitionChangeBuilder.electAnyLeader / electPreferredLeader. A valid leader is in the target ISR, or
   * in the ELR when the ISR is empty, and acceptable (active, not back from an unclean shutdown). When ISR
   * and ELR are empty, the last known leader is elected even if it is not alive (canElectLastKnownLeader),
   * and that election is unclean. Then, if the topic allows it, any acceptable replica (unclean).
   */
  private electLeader(p: PartitionState, isr: number[], elr: number[], acceptable: (b: number) => boolean, preferred: boolean): { leader: number; unclean: boolean; lastKnown: boolean } {
    const valid = (b: number) => b !== NO_LEADER && (isr.includes(b) || (isr.length === 0 && elr.includes(b))) && acceptable(b);
    const clean = (leader: number) => ({ leader, unclean: false, lastKnown: false });
    if (preferred && valid(p.replicas[0])) return clean(p.replicas[0]);
    if (valid(p.leader)) return clean(p.leader);
    const online = p.replicas.find(valid);
    if (online !== undefined) return clean(online);
    if (this.ctl.cfg.elrEnabled && isr.length === 0 && elr.length === 0 && p.lastKnownElr.length === 1) return { leader: p.lastKnownElr[0], unclean: true, lastKnown: true };
    const election: Election = preferred ? 'PREFERRED' : this.ctl.image.topics[p.topic].uncleanLeaderElectionEnable ? 'UNCLEAN' : 'ONLINE';
    if (election === 'UNCLEAN') {
      const any = p.replicas.find(acceptable);
      if (any !== undefined) return { leader: any, unclean: true, lastKnown: false };
    }
    return clean(NO_LEADER);
  }

  /**
   * maybeUpdateLastKnownLeader: when the ISR becomes empty, remember the leader it had (once); clear it
   * when the partition has, or keeps, a leader.
   */
  private lastKnownLeader(p: PartitionState, isrSet: number[] | null, leader: number): number[] {
    if (isrSet !== null && isrSet.length === 0 && (p.lastKnownElr.length !== 1 || p.lastKnownElr[0] !== p.leader)) return [p.leader];
    const leaderChanged = leader !== p.leader;
    const hasLeader = (leaderChanged && leader >= 0) || (p.leader !== NO_LEADER && (!leaderChanged || leader !== NO_LEADER));
    if (hasLeader && p.lastKnownElr.length > 0) return [];
    return p.lastKnownElr;
  }

  /**
   * The leader-imbalance task (auto.leader.rebalance.enable), every leader.imbalance.check.interval.seconds.
   * KRaft (QuorumController's electPreferred task, ReplicationControlManager.maybeBalancePartitionLeaders):
   * a preferred-leader election for every partition led by another replica, with no threshold. ZooKeeper
   * mode (KafkaController.checkAndTriggerAutoLeaderRebalance): per broker, only when more than
   * leader.imbalance.per.broker.percentage of the partitions it prefers are led elsewhere.
   */
  scheduleRebalance(): void {
    const ctl = this.ctl;
    ctl.timer(ctl.cfg.leaderImbalanceCheckIntervalSec * 1_000_000, () => {
      const gate = ctl.cfg.leaderImbalancePerBrokerPercentage;
      const tps = gate === null ? this.sortedTps() : this.imbalancedBrokersTps(gate);
      for (const tp of tps) this.change(tp, 'preferred', 'election', { targetIsr: ctl.image.partitions[tp].isr, preferred: true });
      this.scheduleRebalance();
    });
  }

  /** ZooKeeper mode: the partitions of brokers whose share of preferred partitions led elsewhere is over `percentage`. */
  private imbalancedBrokersTps(percentage: number): string[] {
    const byPreferred = new Map<number, string[]>();
    for (const tp of this.sortedTps()) {
      const preferred = this.ctl.image.partitions[tp].replicas[0];
      let list = byPreferred.get(preferred);
      if (list === undefined) byPreferred.set(preferred, (list = []));
      list.push(tp);
    }
    const out: string[] = [];
    for (const [broker, tps] of [...byPreferred].sort((a, b) => a[0] - b[0])) {
      const elsewhere = tps.filter((tp) => this.ctl.image.partitions[tp].leader !== broker);
      if (elsewhere.length / tps.length > percentage / 100) out.push(...elsewhere);
    }
    return out;
  }

  // ---- bookkeeping ----------------------------------------------------------------------------

  private emitIsr(tp: string, prev: number[], reason: IsrReason): void {
    const p = this.ctl.image.partitions[tp];
    this.ctl.trace.emit({
      type: 'isr',
      t: this.ctl.kernel.now,
      tp,
      isr: [...p.isr],
      prev: [...prev],
      elr: [...p.elr],
      lastKnownElr: [...p.lastKnownElr],
      partitionEpoch: p.partitionEpoch,
      reason,
    });
  }

  sortedTps(): string[] {
    return Object.keys(this.ctl.image.partitions);
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
