/**
 * fully-replicated (liveness): once faults heal, every partition gets back to full replication. At the
 * end of a run whose liveness phase is checked (liveness.ts), each partition
 *
 * - has a leader;
 * - has every replica of its assignment in its ISR (Kafka's UnderReplicatedPartitions metric is 0:
 *   Partition.isUnderReplicated, replication factor minus ISR size > 0);
 * - has every replica's log holding the leader's records up to the leader's high watermark of
 *   replica.lag.time.max.ms before the end, identical to the leader's log there. An in-sync follower may
 *   lag the leader by replica.lag.time.max.ms (Partition.isFollowerOutOfSync / ReplicaState.isCaughtUp), so what
 *   the leader had committed that long ago must be on every replica, acknowledged records included.
 *
 * Acknowledged records missing from the leader itself are no-acked-record-lost's.
 */
import { firstDifference } from './log-matching.js';
import type { LivenessReport } from './liveness.js';
import { leoOf } from './rows.js';
import type { PartitionView, TraceState } from './state.js';
import type { Violations } from './violation.js';

export class FullyReplicated {
  readonly check = 'fully-replicated';
  /** Per partition: its leader's high watermark when the snapshot was taken (replica.lag.time.max.ms before the end). */
  private hwAtSnapshot = new Map<string, number>();
  snapshotUs = -1;

  /** Remember every leader's high watermark now. */
  snapshot(state: TraceState, tUs: number): void {
    this.snapshotUs = tUs;
    for (const p of state.parts.values()) this.hwAtSnapshot.set(p.tp, p.leader >= 0 ? (p.replicas.get(p.leader)?.hw ?? 0) : 0);
  }

  endOfRun(live: LivenessReport, p: PartitionView, state: TraceState, out: Violations): void {
    if (!live.checked) return;
    const problems: string[] = [];
    let offsets: Array<[number, number]> = [];
    const notInIsr = [...p.replicas.keys()].filter((b) => !p.isr.includes(b)).sort((a, b) => a - b);
    if (p.leader < 0) problems.push('it has no leader');
    if (notInIsr.length > 0) problems.push(`its ISR [${p.isr}] lacks replica(s) ${notInIsr.join(', ')}`);
    const leader = p.leader >= 0 ? p.replicas.get(p.leader) : undefined;
    const target = this.hwAtSnapshot.get(p.tp) ?? 0;
    if (leader !== undefined && target > 0) {
      for (const r of [...p.replicas.values()].sort((a, b) => a.broker - b.broker)) {
        if (r === leader) continue;
        const leo = leoOf(r.log);
        const at = firstDifference(r.log, leader.log, target);
        if (at < 0) continue;
        problems.push(
          leo <= at
            ? `broker ${r.broker}'s log ends at ${leo}, below the leader's high watermark ${target} of ${this.snapshotUs / 1000} ms`
            : `broker ${r.broker}'s log differs from leader ${p.leader}'s at offset ${at}, below the leader's high watermark ${target} of ${this.snapshotUs / 1000} ms`,
        );
        offsets.push([at, target - 1]);
      }
    }
    if (problems.length === 0) return;
    offsets = mergeRanges(offsets);
    out.report(this.check, p.tp, `not fully replicated ${live.quietMs} ms after the last fault: ${problems.join('; ')}`, state.endUs, { offsets });
  }
}

/** Inclusive ranges sorted and merged. */
function mergeRanges(rs: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const r of [...rs].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
