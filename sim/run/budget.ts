/**
 * What a run will cost before it starts, where the model lets it be estimated: memory grows with the
 * replicas the cluster hosts and with the records of the last two minutes (the hot part of each log and
 * the batches in flight), not with the run's length. Used by `kafkasim run` (against the process's heap
 * limit) and the page (against what a tab can hold), so that a scenario too big for them is refused
 * with a figure instead of crashing a process or a tab.
 *
 * The factors are upper estimates from measured runs (heap after a full garbage collection): 200,000
 * partitions with RF 3 on 3 brokers take 1.3 GB at 0.1 s (2.1 KB per replica); 3 brokers, RF 3, 6
 * partitions at 100,000 records/s of 1 KB hold 158 MB after a simulated minute and about 310 MB from the
 * tenth on (estimated: 830 MB).
 */
import type { Scenario } from '../scenario/types.js';
import { HOT_WINDOW_US } from '../kafka/partition-log.js';

/** Memory of the process, the model's code and a small cluster. */
const BASE_BYTES = 64e6;
/** Per replica: the partition's state on its broker, its log, the fetcher's entry and the checker's view. */
const REPLICA_BYTES = 2_600;
/** Per record and replica in the hot window: its batch's share and its creation time. */
const HOT_RECORD_BYTES = 16;

export interface RunCost {
  /** Estimated peak heap, bytes. */
  bytes: number;
  /** Replicas hosted in the cluster (partitions × replication factor). */
  replicas: number;
  /** Records that can be in the hot window at once, summed over their replicas. */
  hotRecords: number;
}

/** An upper estimate of the memory a run of `s` needs (without its trace: a page keeps that too). */
export function estimateRunCost(s: Scenario): RunCost {
  let replicas = 0;
  const rf = new Map<string, number>();
  for (const t of s.topics) {
    replicas += t.partitions * t.replicationFactor;
    rf.set(t.name, t.replicationFactor);
  }
  let hotRecords = 0;
  const windowUs = Math.min(s.durationUs, HOT_WINDOW_US);
  for (const p of s.producers) {
    const sending = Math.min(windowUs, Math.max(0, (p.stopUs ?? s.durationUs) - p.startUs));
    const records = Math.min(p.maxRecords ?? Infinity, (p.ratePerSec * sending) / 1e6);
    hotRecords += records * ((rf.get(p.topic) ?? 1) + 1);
  }
  return { bytes: BASE_BYTES + replicas * REPLICA_BYTES + hotRecords * HOT_RECORD_BYTES, replicas, hotRecords };
}

/** "1.3 GB", "640 MB": a byte count as a person reads it. */
export function formatBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${Math.max(1, Math.round(n / 1e6))} MB`;
}

/** The one-line refusal when the estimate is over `limitBytes`, or undefined when the run fits. */
export function budgetProblem(s: Scenario, limitBytes: number, where: string): string | undefined {
  const cost = estimateRunCost(s);
  if (cost.bytes <= limitBytes) return undefined;
  return `this scenario needs about ${formatBytes(cost.bytes)} of memory (${cost.replicas.toLocaleString('en-US')} replicas, ${Math.round(cost.hotRecords).toLocaleString('en-US')} records in the last two minutes across their replicas); ${where} has ${formatBytes(limitBytes)}`;
}
