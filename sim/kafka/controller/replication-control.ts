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
import { newPartitionState, NO_LEADER, type PartitionState, tpName } from '../metadata.js';
import type { UsableBroker } from '../placement.js';
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
  /** setTargetReplicas / setTargetAdding / setTargetRemoving: a reassignment starts (KIP-455). */
  reassignment?: { replicas: number[]; adding: number[]; removing: number[] };
  preferred?: boolean;
  /** handleBrokerUncleanShutdown's brokerWithUncleanShutdown: out of ISR, ELR and leadership. */
  uncleanShutdown?: number;
  /** The leader's AlterPartition carries LeaderRecoveryState.RECOVERED. */
  recovered?: boolean;
  /** The partition's new offline replicas (failed log directories); absent: unchanged. */
  offlineReplicas?: number[];
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
  replicas: number[];
  adding: number[];
  removing: number[];
  /** completeReassignmentIfNeeded completed the reassignment. */
  completed: boolean;
  /** triggerLeaderEpochBumpForReplicaReassignmentIfNeeded: replicas left, the same leader gets a new epoch. */
  bumpEpoch: boolean;
  offlineReplicas: number[];
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
  removeFromIsrsAndElect(broker: number, isrReason: 'fenced' | 'shutdown' | 'unregistered', electReason: string): void {
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

  /**
   * handleDirectoriesOffline (KIP-858, the heartbeat's OfflineLogDirs): for each partition whose replica on
   * `broker` is in a failed log directory, that replica leaves the ISR and may no longer lead; a new leader
   * is elected from the ISR if it led. The broker stays unfenced. Partitions already marked are skipped (the
   * heartbeat repeats the list).
   */
  handleDirectoriesOffline(broker: number, tps: readonly string[]): void {
    const named = new Set(tps);
    for (const tp of this.sortedTps()) {
      const p = this.ctl.image.partitions[tp];
      if (!named.has(tp) || !p.replicas.includes(broker) || p.offlineReplicas?.includes(broker) === true) continue;
      const offlineReplicas = [...(p.offlineReplicas ?? []), broker].sort((a, b) => a - b);
      this.change(tp, 'offlineDir', 'offlineDir', { targetIsr: p.isr.filter((b) => b !== broker), offlineReplicas });
    }
  }

  /**
   * A registration lists the broker's log directories: its replicas marked offline that are not in `tps`
   * (their disk was replaced, the broker started with an empty one) are online again; they rejoin the ISR
   * once they have caught up, as any follower.
   */
  handleRegisteredDirectories(broker: number, tps: readonly string[]): void {
    for (const tp of this.sortedTps()) {
      const p = this.ctl.image.partitions[tp];
      if (p.offlineReplicas?.includes(broker) !== true || tps.includes(tp)) continue;
      this.change(tp, 'onlineDir', 'election', { targetIsr: p.isr, offlineReplicas: p.offlineReplicas.filter((b) => b !== broker) });
    }
    this.handleDirectoriesOffline(broker, tps);
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

  /**
   * ReplicationControlManager.alterPartitionReassignments / changePartitionReassignment (KIP-455, Admin
   * AlterPartitionReassignments as kafka-reassign-partitions --execute sends it): the replicas become the
   * target followed by the replicas to remove, with adding and removing set, in one PartitionChangeRecord
   * (its builder completes the reassignment at once when every target replica is already in the ISR).
   * Returns the error Kafka answers, or undefined.
   */
  alterPartitionReassignment(tp: string, target: number[]): string | undefined {
    const ctl = this.ctl;
    const p = ctl.image.partitions[tp];
    if (p === undefined) return `UNKNOWN_TOPIC_OR_PARTITION (${tp})`;
    const invalid = this.invalidAssignment(target);
    if (invalid !== undefined) return `INVALID_REPLICA_ASSIGNMENT for ${tp}: ${invalid}`;
    if (p.addingReplicas.length > 0 || p.removingReplicas.length > 0) return `${tp} is already being reassigned (not modelled: changing a reassignment in progress)`;
    const r = reassignmentReplicas(p.replicas, target);
    if (r.adding.length === 0 && r.removing.length === 0 && sameList(target, p.replicas)) return `${tp} already has replicas [${target.join(',')}]`;
    ctl.trace.emit({ type: 'reassign', t: ctl.kernel.now, tp, phase: 'start', replicas: [...r.replicas], adding: [...r.adding], removing: [...r.removing] });
    this.change(tp, 'reassignment', 'reassignment', { targetIsr: p.isr, reassignment: r });
    return undefined;
  }

  /** validateManualPartitionAssignment: registered brokers, none twice (the replication factor may change in a reassignment). */
  private invalidAssignment(target: number[]): string | undefined {
    if (target.length === 0) return 'The manual partition assignment includes an empty replica list.';
    const seen = new Set<number>();
    for (const b of target) {
      if (this.ctl.image.brokers[b] === undefined) return `The manual partition assignment includes broker ${b}, but no such broker is registered.`;
      if (seen.has(b)) return `The manual partition assignment includes the broker ${b} more than once.`;
      seen.add(b);
    }
    return undefined;
  }

  /**
   * ReplicationControlManager.createPartitions (Admin CreatePartitions, kafka-topics --alter --partitions):
   * the new partitions are placed by `place` (ClusterControlManager.placeReplicas: StripedReplicaPlacer over
   * the usable brokers) with the topic's replication factor; each starts with its active replicas as ISR
   * and the first of them as leader, epoch 0. Returns Kafka's error, or undefined.
   */
  createPartitions(topic: string, count: number, place: (brokers: UsableBroker[], partitions: number, rf: number) => number[][]): string | undefined {
    const ctl = this.ctl;
    const t = ctl.image.topics[topic];
    if (t === undefined) return 'UNKNOWN_TOPIC_OR_PARTITION';
    if (count === t.partitions) return `INVALID_PARTITIONS: Topic already has ${t.partitions} partition(s).`;
    if (count < t.partitions) return `INVALID_PARTITIONS: The topic ${topic} currently has ${t.partitions} partition(s); ${count} would not be an increase.`;
    const rf = ctl.image.partitions[`${topic}-0`].replicas.length;
    const usable = Object.values(ctl.image.brokers)
      .filter((b) => !b.inControlledShutdown)
      .map((b) => ({ id: b.id, fenced: b.fenced }));
    let placements: number[][];
    try {
      placements = place(usable, count - t.partitions, rf);
    } catch (e) {
      return `INVALID_REPLICATION_FACTOR: Unable to replicate the partition ${rf} time(s): ${(e as Error).message}`;
    }
    const isrs = placements.map((replicas) => replicas.filter((b) => this.eligible(b)));
    if (isrs.some((isr) => isr.length === 0)) return `INVALID_REPLICATION_FACTOR: Unable to replicate the partition ${rf} time(s): All brokers are currently fenced or in controlled shutdown.`;
    ctl.commit((d) => {
      d.topics[topic].partitions = count;
      placements.forEach((replicas, i) => {
        const partition = t.partitions + i;
        d.partitions[tpName(topic, partition)] = newPartitionState(topic, partition, replicas, isrs[i]!);
      });
    });
    ctl.trace.emit({ type: 'partitions', t: ctl.kernel.now, topic, partitions: count, replicas: placements.map((r) => [...r]), isr: isrs.map((r) => [...r]) });
    return undefined;
  }

  /** leader.replication.throttled.rate and follower.replication.throttled.rate on these brokers (IncrementalAlterConfigs). */
  setThrottledRate(brokers: readonly number[], bytesPerSec: number): void {
    this.ctl.commit((d) => {
      for (const b of brokers) d.throttledRates[b] = bytesPerSec;
    });
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
      if (c.leader !== prev.leader || c.bumpEpoch) {
        n.leader = c.leader;
        n.leaderEpoch++;
      }
      n.replicas = c.replicas;
      n.addingReplicas = c.adding;
      n.removingReplicas = c.removing;
      n.isr = c.isr;
      n.elr = c.elr;
      n.lastKnownElr = c.lastKnownElr;
      n.leaderRecoveryState = c.recovery;
      if (c.offlineReplicas.length > 0) n.offlineReplicas = c.offlineReplicas;
      else delete n.offlineReplicas;
      n.partitionEpoch++;
    });
    const now = ctl.image.partitions[tp];
    if (c.completed) {
      ctl.trace.emit({ type: 'reassign', t: ctl.kernel.now, tp, phase: 'complete', replicas: [...now.replicas], adding: [...prev.addingReplicas], removing: [...prev.removingReplicas] });
    }
    if (c.leader !== prev.leader) {
      const why = c.leader === NO_LEADER ? 'offline' : c.lastKnownLeader ? 'lastKnownLeader' : c.unclean ? 'unclean' : input.preferred ? 'preferred' : c.completed ? 'reassignment' : reason;
      ctl.trace.emit({ type: 'election', t: ctl.kernel.now, tp, leader: c.leader, prevLeader: prev.leader, epoch: now.leaderEpoch, clean: !c.unclean, isr: [...now.isr], reason: why });
    }
    const membersChanged = !sameList(now.isr, prev.isr) || !sameList(now.elr, prev.elr) || !sameList(now.lastKnownElr, prev.lastKnownElr);
    if (membersChanged) this.emitIsr(tp, prev.isr, c.completed && !sameList(now.isr, input.targetIsr) ? 'reassignment' : isrReason);
    return true;
  }

  /**
   * PartitionChangeBuilder.build(): completeReassignmentIfNeeded, maybePopulateTargetElr, tryElection, the
   * reassignment's epoch bump, maybeUpdateRecordElr, the new ISR (empty only with ELR),
   * maybeUpdateLastKnownLeader. Returns null when nothing changes.
   */
  private build(p: PartitionState, input: ChangeInput): Change | null {
    const elrOn = this.ctl.cfg.elrEnabled;
    const minIsr = this.ctl.image.topics[p.topic].minInsyncReplicas;
    const r = input.reassignment ?? { replicas: p.replicas, adding: p.addingReplicas, removing: p.removingReplicas };
    const done = completeReassignment(r, input.targetIsr);
    const replicas = done?.replicas ?? r.replicas;
    let targetIsr = done?.isr ?? input.targetIsr;
    let targetElr = elrOn ? this.targetElr(p, targetIsr, minIsr, input.uncleanShutdown) : p.elr;
    const offlineReplicas = input.offlineReplicas ?? p.offlineReplicas ?? [];
    // LeaderAcceptor: active (registered, unfenced, not shutting down) and its replica's directory online.
    const acceptable = (b: number) => b !== input.uncleanShutdown && this.eligible(b) && !offlineReplicas.includes(b);
    const elected = this.electLeader(p, replicas, targetIsr, targetElr, acceptable, input.preferred === true);
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
    const adding = done ? [] : r.adding;
    const removing = done ? [] : r.removing;
    const bumpEpoch = !p.replicas.every((b) => replicas.includes(b));
    const c: Change = {
      leader: elected.leader,
      unclean: elected.unclean,
      lastKnownLeader: elected.lastKnown,
      isr: [...isr],
      elr: targetElr,
      lastKnownElr,
      recovery,
      replicas,
      adding,
      removing,
      completed: done !== null,
      bumpEpoch,
      offlineReplicas,
    };
    const sameAssignment = sameList(replicas, p.replicas) && sameList(adding, p.addingReplicas) && sameList(removing, p.removingReplicas);
    const same =
      sameAssignment &&
      sameList(offlineReplicas, p.offlineReplicas ?? []) &&
      c.leader === p.leader &&
      sameList(c.isr, p.isr) &&
      sameList(c.elr, p.elr) &&
      sameList(c.lastKnownElr, p.lastKnownElr) &&
      c.recovery === p.leaderRecoveryState;
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
  private electLeader(
    p: PartitionState,
    replicas: number[],
    isr: number[],
    elr: number[],
    acceptable: (b: number) => boolean,
    preferred: boolean,
  ): { leader: number; unclean: boolean; lastKnown: boolean } {
    const valid = (b: number) => b !== NO_LEADER && (isr.includes(b) || (isr.length === 0 && elr.includes(b))) && acceptable(b);
    const clean = (leader: number) => ({ leader, unclean: false, lastKnown: false });
    if (preferred && valid(replicas[0])) return clean(replicas[0]);
    if (valid(p.leader)) return clean(p.leader);
    const online = replicas.find(valid);
    if (online !== undefined) return clean(online);
    if (this.ctl.cfg.elrEnabled && isr.length === 0 && elr.length === 0 && p.lastKnownElr.length === 1) return { leader: p.lastKnownElr[0], unclean: true, lastKnown: true };
    const election: Election = preferred ? 'PREFERRED' : this.ctl.image.topics[p.topic].uncleanLeaderElectionEnable ? 'UNCLEAN' : 'ONLINE';
    if (election === 'UNCLEAN') {
      const any = replicas.find(acceptable);
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

/**
 * PartitionReassignmentReplicas.maybeCompleteReassignment: once every target replica is in the target ISR
 * (the removing replicas taken out of both), the replicas become the target and the ISR loses the
 * removing ones. Null while the reassignment goes on (or when there is none).
 */
export function completeReassignment(r: { replicas: number[]; adding: number[]; removing: number[] }, targetIsr: number[]): { replicas: number[]; isr: number[] } | null {
  if (r.adding.length === 0 && r.removing.length === 0) return null;
  const isr = targetIsr.filter((b) => !r.removing.includes(b));
  const replicas = r.replicas.filter((b) => !r.removing.includes(b));
  if (isr.length === 0 || replicas.length === 0) return null;
  return replicas.every((b) => isr.includes(b)) ? { replicas, isr } : null;
}

/**
 * PartitionReassignmentReplicas(current, target): removing = current − target and adding = target −
 * current (ascending, Java's TreeSet), replicas = the target followed by the removing ones.
 */
export function reassignmentReplicas(current: readonly number[], target: readonly number[]): { replicas: number[]; adding: number[]; removing: number[] } {
  const removing = current.filter((b) => !target.includes(b)).sort((a, b) => a - b);
  const adding = target.filter((b) => !current.includes(b)).sort((a, b) => a - b);
  return { replicas: [...target, ...removing], adding, removing };
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
