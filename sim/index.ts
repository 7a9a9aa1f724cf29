/**
 * kafkasim's public entry point: `import { parseScenario, simulate } from 'kafkasim'`.
 *
 * Everything a user, the command line, the visualizer and the benchmarks need comes from here; the
 * folders below it are internal and may move. docs/api.md documents this surface with a runnable example.
 */

// Scenarios: parse and validate YAML/JSON into the normalized form the model runs.
export {
  parseScenario,
  scenarioJsonSchema,
  ScenarioError,
  type ScenarioProblem,
  DEFAULT_SEED,
  DEFAULT_DISK,
  DEFAULT_NETWORK,
  FAULT_VERBS,
  RECORD_COUNTERS,
  KAFKA_ERROR_NAMES,
} from './scenario/parse.js';
export type * from './scenario/types.js';
export { applySettings, isSetting, settingProblem, settingValue } from './scenario/story.js';

// Running: a steppable simulation, or a whole run to its summary.
export { createSimulation, simulate, Simulation, type SimulationOptions } from './run/simulation.js';
export type { TraceMode } from './trace/bus.js';
export { budgetProblem, estimateRunCost, formatBytes, type RunCost } from './run/budget.js';
// Capacity planning: one point of a plan (kafkasim plan and the visualizer's what-if tab run the same function).
export {
  runPlanPoint,
  applyPlanSettings,
  figuresOf,
  recoveryOf,
  pointBottleneck,
  numericValue,
  isPlanSetting,
  planSettingProblem,
  PLAN_SETTINGS,
  NOT_MODELLED,
  type PointFigures,
  type PointBottleneck,
  type Latency,
} from './run/plan-point.js';
export { FAILURES, type Failure, PlanSettingError } from './run/plan-failure.js';
export type { RunSummary } from './report/summary.js';
export { bottleneckOf, formatBottleneck, formatUtilization, RESOURCE_NAMES, type LogDirUse, type ResourceName, type ResourceUse } from './report/resources.js';
export { HARDWARE_PRESETS } from './scenario/hardware.js';
export { formatGroup, type GroupDescription, type GroupRow, type GroupSummary } from './report/groups.js';
export { ReadIntervals, type RedeliveredRecords } from './checks/redelivered.js';
export type { SkippedRecords } from './checks/skipped-records.js';
export type { PartitionRow, TimelineItem } from './report/timeline.js';
export { evaluateExpect, describeExpectation, meets, electionCounts, type ExpectEvaluation, type ExpectResult } from './report/expect.js';

// Checks: invariants computed from the trace alone.
export { CHECK_NAMES, LIVENESS_CHECKS, Checker, type CheckName, type CheckResult, type LivenessBounds, type LivenessReport, type Violation } from './checks/checks.js';
export { livenessBounds, livenessBoundMs } from './run/liveness-bound.js';
export { RECORD_COUNTER_DOCS, type RecordCounter, type RecordCounts } from './checks/records.js';

// Kafka's algorithms, usable on their own.
export { murmur2, partitionForKey, toPositive } from './kafka/clients/partitioner.js';
export {
  assign,
  AssignError,
  AssignorFailure,
  ASSIGN_LIMITS,
  ASSIGNOR_NAMES,
  type AssignOptions,
  type AssignorName,
  type GroupAssignment,
  type GroupMember,
  type MemberAssignment,
  type TopicPartition,
  type WithheldPartition,
} from './kafka/group/assignors.js';

// Kafka configs, versions and units.
export {
  ConfigError,
  configNames,
  configEntry,
  configDefault,
  resolveConfig,
  resolveBehaviour,
  effectiveTopicConfig,
  kafkaVersions,
  suggest,
  KAFKA_VERSION_DEFAULT,
  CONFIG_CATALOGUE,
  BEHAVIOUR_KEYS,
  type Behaviour,
  type ConfigGroup,
  type ConfigEntry,
} from './config/config.js';
export { parseDurationUs, parseBytes, parseRatePerSec, parseBandwidth, formatDurationUs, UnitError } from './config/units.js';

// The trace: event types, sinks, the hash.
export * from './trace/index.js';

// The kernel, for those who drive or measure it directly (the benchmark compares it with a bare loop).
export { Kernel, TimeTravelError } from './kernel/kernel.js';

// The failure search: fault schedules as fast-check arbitraries, and the search's deterministic core.
export { withFaults } from './scenario/with-faults.js';
export { FAULT_KINDS, FAULT_KIND_DOCS, planSteps, rawFaults, describeStep, type FaultKind, type FaultStep, type FaultWindow } from './explore/schedule.js';
export {
  faultSchedules,
  faultSteps,
  exploreCases,
  clusterConfigs,
  scenarioText,
  scheduleText,
  caseScenario,
  faultWindow,
  DEFAULT_FAULT_KINDS,
  DURABILITY_SETTINGS,
  type ScheduleOptions,
  type ExploreCase,
  type SettingChoices,
} from './explore/arbitraries.js';
export { recoveryMs } from './explore/arbitraries.js';
export { regressionTest, exportRegression, type RegressionSpec, type ExportedRegression } from './explore/regression.js';
export { Search, runSeed, counterexampleName, describeSettings, type SearchSpec, type Found, type Shrunk } from './explore/search.js';
