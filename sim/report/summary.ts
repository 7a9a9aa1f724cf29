/**
 * The summary of a run: counts, latency percentiles, elections, violations and the final state.
 * This is what `kafkasim run --json` prints and what `simulate()` returns.
 */
import { percentilesMs, type Percentiles } from '../kafka/clients/metrics.js';
import type { Checker } from '../checks/checks.js';
import type { Metrics } from '../kafka/clients/metrics.js';
import type { Trace } from '../trace/bus.js';
import type { Timeline } from './timeline.js';
import type { LivenessReport, RecordCounts, Violation } from '../checks/checks.js';
import type { PartitionRow, TimelineItem } from './timeline.js';
import type { RedeliveredRecords } from '../checks/redelivered.js';
import type { SkippedRecords } from '../checks/skipped-records.js';
import type { GroupDescription, GroupsReport, GroupSummary } from './groups.js';
import { bottleneckOf, type LogDirUse, type NodeBusy, resourceUse, type ResourceUse } from './resources.js';

export interface RunSummary {
  scenario: string;
  seed: number;
  kafkaVersion: string;
  traceHash: string;
  simulatedMs: number;
  /** Trace events emitted. */
  events: number;
  /** Kernel events fired (the simulator's own work). */
  kernelEvents: number;
  /** Record counters; RECORD_COUNTER_DOCS (sim/checks/records.ts) says what each counts. */
  records: RecordCounts;
  /** Records removed by truncation, per broker id (absent: none). */
  truncatedByBroker?: Record<string, number>;
  latencyMs: { produce: Percentiles; endToEnd: Percentiles };
  /** Produce errors the producers saw (retried and final), by Kafka error name. */
  errors: Record<string, number>;
  elections: Array<{ atMs: number; partition: string; leader: number; epoch: number; clean: boolean; reason: string }>;
  isrShrinks: number;
  isrExpands: number;
  /** Cluster changes (partitions added, reassignments); absent when the run had none. */
  cluster?: { keysMoved: number; reassignmentsCompleted: number; reassignmentDoneMs: number };
  violations: Violation[];
  /** The liveness phase at the end of the run: whether write-answered and fully-replicated ran, and if not why. */
  liveness: LivenessReport;
  lost: Array<{ partition: string; records: number; offsets: string }>;
  /** Per reader (a consumer, or `group NAME`) and partition: records received again, with their offsets. */
  redelivered: RedeliveredRecords[];
  /** Per reader (a consumer, or `group NAME`) and partition: records below its final position it never received (at-most-once), with their offsets. */
  skipped: SkippedRecords[];
  /** Consumer groups at the end (kafka-consumer-groups --describe), with rebalances and lag over time. */
  groups: GroupSummary[];
  /** The groups described at the times asked for (`groupsAtUs`). */
  groupSnapshots: GroupDescription[];
  timeline: TimelineItem[];
  partitions: PartitionRow[];
  brokers: Array<{ id: number; state: string }>;
  /** Utilization of every node's resources over the run (NICs, disks, cores, threads, request queue, producers' connections). */
  resources: ResourceUse[];
  /** The most utilized resource, or null when nothing was busy. */
  bottleneck: ResourceUse | null;
  /** With several log directories (log.dirs): each broker's directories, their partitions and disks' utilization. Absent with one. */
  logDirs?: LogDirUse[];
}

/** What a summary is read from: a finished run (`Simulation` has these fields). */
export interface SummaryInput {
  readonly scenario: { readonly name: string; readonly cluster: { readonly kafkaVersion: string } };
  readonly seed: number;
  readonly checker: Checker;
  readonly producers: ReadonlyMap<string, { readonly sentCount: number }>;
  readonly timeline: Timeline;
  readonly metrics: Metrics;
  readonly trace: Trace;
  readonly kernel: { readonly now: number; readonly fired: number };
  readonly groups: GroupsReport | null;
  /** What each node's resources were busy with. */
  nodeBusy(): NodeBusy[];
  /** Each broker's log directories, when there are several (else none). */
  logDirs(): LogDirUse[];
}

export function summarize(sim: SummaryInput): RunSummary {
  const res = sim.checker.finish();
  let sent = 0;
  for (const p of sim.producers.values()) sent += p.sentCount;
  const tl = sim.timeline;
  const errors: Record<string, number> = {};
  const resources = resourceUse(sim.nodeBusy(), sim.kernel.now);
  const logDirs = sim.logDirs();
  for (const [k, v] of [...sim.metrics.errors].sort()) errors[k] = v;
  return {
    scenario: sim.scenario.name,
    seed: sim.seed,
    kafkaVersion: sim.scenario.cluster.kafkaVersion,
    traceHash: sim.trace.hasher.digest(),
    simulatedMs: sim.kernel.now / 1000,
    events: sim.trace.count,
    kernelEvents: sim.kernel.fired,
    records: { sent, ...res.records },
    truncatedByBroker: res.truncatedByBroker,
    latencyMs: { produce: percentilesMs(sim.metrics.produce), endToEnd: percentilesMs(sim.metrics.endToEnd) },
    errors,
    elections: tl.elections,
    isrShrinks: tl.isrShrinks,
    isrExpands: tl.isrExpands,
    ...(tl.clusterChanged ? { cluster: { keysMoved: tl.keysMoved, reassignmentsCompleted: tl.reassignmentsCompleted, reassignmentDoneMs: tl.reassignmentDoneMs } } : {}),
    violations: res.violations,
    liveness: res.liveness,
    lost: res.lost,
    redelivered: res.redelivered,
    skipped: res.skipped,
    groups: sim.groups?.summaries(sim.kernel.now) ?? [],
    groupSnapshots: sim.groups?.snapshots ?? [],
    timeline: tl.items,
    partitions: [...tl.partitions.values()],
    brokers: [...tl.brokerState].map(([id, state]) => ({ id, state })),
    resources,
    bottleneck: bottleneckOf(resources),
    ...(logDirs.length > 0 ? { logDirs } : {}),
  };
}
