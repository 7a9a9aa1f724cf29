/**
 * Partition state on the controller, following Kafka's ReplicationControlManager and
 * PartitionChangeBuilder: ISR changes sent by leaders (AlterPartition), leader elections (clean, from
 * the ELR of KIP-966, or unclean), the consequences of a broker being fenced, unfenced or shut down,
 * and preferred-leader rebalancing. Split from the controller because Kafka keeps partition state
 * apart from broker membership (ClusterControlManager).
 */
import type { ControllerContext, ReplicationControl } from './context.js';
import type { Envelope } from '../../resources/network.js';
import { NO_LEADER, type PartitionState } from '../metadata.js';
import type * as P from '../protocol.js';

type IsrReason = 'shrink' | 'expand' | 'fenced' | 'shutdown' | 'election';

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
      const prev = p.isr;
      const grew = req.newIsr.length > prev.length;
      this.updatePartition(req.tp, (d) => {
        d.isr = [...req.newIsr];
        this.updateElr(d, prev);
      });
      this.emitIsr(req.tp, prev, grew ? 'expand' : 'shrink');
    }
    ctl.reply<P.AlterPartitionResponse>(env, 'AlterPartitionResponse', 64, { tp: req.tp, error, state: ctl.image.partitions[req.tp] });
  }

  /** A broker that may lead or join an ISR: registered, unfenced, not shutting down. */
  private eligible(b: number): boolean {
    const r = this.ctl.image.brokers[b];
    return r !== undefined && !r.fenced && !r.inControlledShutdown;
  }

  /**
   * handleBrokerFenced / handleBrokerInControlledShutdown: take the broker out of every ISR (never
   * leaving an ISR empty: the last member stays) and move its leaderships, one change per partition.
   */
  removeFromIsrsAndElect(broker: number, isrReason: 'fenced' | 'shutdown', electReason: string): void {
    for (const tp of this.sortedTps()) {
      const p = this.ctl.image.partitions[tp];
      if (!p.isr.includes(broker) && p.leader !== broker) continue;
      const targetIsr = p.isr.length > 1 ? p.isr.filter((b) => b !== broker) : p.isr;
      this.change(tp, electReason, isrReason, targetIsr);
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
    this.change(tp, reason, 'election', this.ctl.image.partitions[tp].isr);
  }

  /**
   * PartitionChangeBuilder.electLeader: keep a valid leader; else the first replica in assignment order
   * that is in the ISR and eligible; else (KIP-966) the first eligible ELR member; else, if the topic
   * allows it, the first eligible replica (unclean). Returns the leader and whether the election was clean.
   */
  private electLeader(p: PartitionState, targetIsr: number[], preferred: boolean): { leader: number; clean: boolean } {
    const ctl = this.ctl;
    const topic = ctl.image.topics[p.topic];
    const validLeader = (b: number) => b !== NO_LEADER && targetIsr.includes(b) && this.eligible(b);
    let leader = p.leader;
    let clean = true;
    if (preferred) {
      if (validLeader(p.replicas[0])) leader = p.replicas[0];
    } else if (!validLeader(p.leader)) {
      leader = p.replicas.find(validLeader) ?? NO_LEADER;
      if (leader === NO_LEADER && ctl.cfg.elrEnabled) leader = p.replicas.find((b) => p.elr.includes(b) && this.eligible(b)) ?? NO_LEADER;
      if (leader === NO_LEADER && topic.uncleanLeaderElectionEnable) {
        leader = p.replicas.find((b) => this.eligible(b)) ?? NO_LEADER;
        clean = leader === NO_LEADER;
      }
    }
    return { leader, clean };
  }

  /**
   * One PartitionChangeRecord: a new ISR and, if needed, a new leader (PartitionChangeBuilder). An
   * unclean leader makes the ISR just itself.
   */
  private change(tp: string, reason: string, isrReason: 'fenced' | 'shutdown' | 'election', targetIsr: number[], preferred = false): void {
    const ctl = this.ctl;
    const p = ctl.image.partitions[tp];
    const { leader, clean } = this.electLeader(p, targetIsr, preferred);
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
    const now = ctl.image.partitions[tp];
    if (leaderChanged) {
      ctl.trace.emit({
        type: 'election',
        t: ctl.kernel.now,
        tp,
        leader,
        prevLeader,
        epoch: now.leaderEpoch,
        clean,
        isr: [...now.isr],
        reason: leader === NO_LEADER ? 'offline' : !clean ? 'unclean' : preferred ? 'preferred' : reason,
      });
    }
    if (!sameList(now.isr, prevIsr)) this.emitIsr(tp, prevIsr, leaderChanged && isrReason === 'election' ? 'election' : isrReason);
  }

  /** The leader-imbalance task (auto.leader.rebalance.enable): preferred-leader elections. */
  scheduleRebalance(): void {
    const ctl = this.ctl;
    ctl.timer(ctl.cfg.leaderImbalanceCheckIntervalSec * 1_000_000, () => {
      for (const tp of this.sortedTps()) this.change(tp, 'preferred', 'election', ctl.image.partitions[tp].isr, true);
      this.scheduleRebalance();
    });
  }

  // ---- bookkeeping ----------------------------------------------------------------------------

  /** KIP-966: replicas leaving the ISR while it is below min ISR join the ELR; it clears at min ISR. */
  private updateElr(d: PartitionState, prevIsr: number[]): void {
    if (!this.ctl.cfg.elrEnabled) return;
    const minIsr = this.ctl.image.topics[d.topic].minInsyncReplicas;
    if (d.isr.length >= minIsr) {
      d.elr = [];
      return;
    }
    for (const b of prevIsr) if (!d.isr.includes(b) && !d.elr.includes(b)) d.elr.push(b);
    d.elr = d.elr.filter((b) => !d.isr.includes(b));
  }

  private emitIsr(tp: string, prev: number[], reason: IsrReason): void {
    const p = this.ctl.image.partitions[tp];
    this.ctl.trace.emit({ type: 'isr', t: this.ctl.kernel.now, tp, isr: [...p.isr], prev: [...prev], elr: [...p.elr], partitionEpoch: p.partitionEpoch, reason });
  }

  private sortedTps(): string[] {
    return Object.keys(this.ctl.image.partitions);
  }

  private updatePartition(tp: string, fn: (d: PartitionState) => void): void {
    this.ctl.commit((d) => {
      const p = d.partitions[tp];
      fn(p);
      p.partitionEpoch++;
    });
  }
}

function sameList(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
