/**
 * fast-check arbitraries for a failure search and for users' own property tests:
 *
 * ```ts
 * fc.assert(fc.property(faultSchedules(base), (s) => simulate(s).violations.length === 0));
 * ```
 *
 * A drawn scenario is the base with its faults replaced by a random schedule (and, with
 * {@link clusterConfigs}, some settings changed). fast-check prints a failing one as its scenario file,
 * which `kafkasim run` replays.
 */
import fc from 'fast-check';
import { Document, parseDocument } from 'yaml';
import { parseScenario } from '../scenario/parse.js';
import type { Scenario, SettingValue } from '../scenario/types.js';
import { applySettings } from '../scenario/story.js';
import { withFaults } from '../scenario/with-faults.js';
import { logDirs } from '../config/config.js';
import { FAULT_KINDS, type FaultKind, type FaultStep, type FaultWindow, planSteps, rawFaults } from './schedule.js';

export interface ScheduleOptions {
  /** Kinds of fault to draw (default crash, power, partition). */
  faults?: readonly FaultKind[];
  /** At most this many faults (steps) per schedule (default 4). */
  maxFaults?: number;
  /**
   * Simulated time left without faults at the end of the run, ms: every fault has ended by then, so the
   * run ends with a healed cluster whose liveness can be checked (default {@link recoveryMs}).
   */
  quietMs?: number;
  /**
   * One fault at a time: a fault starts only after the previous one ended and the cluster had
   * {@link recoveryMs} to recover, the failures a cluster of RF 3 with min.insync.replicas 2 is built to
   * survive. Default false: faults overlap.
   */
  oneAtATime?: boolean;
  /** A fault lasts at least / at most this long, ms (default 0.5 s to 15 s). */
  minForMs?: number;
  maxForMs?: number;
}

/** A run of a search: a fault schedule, the seed of the run's random streams, and settings drawn (--vary). */
export interface ExploreCase {
  steps: FaultStep[];
  seed: number;
  /** Settings applied to the base (as `kafkasim run --set` and compare.set take them); absent: none. */
  settings?: Record<string, SettingValue>;
}

export const DEFAULT_FAULT_KINDS: readonly FaultKind[] = ['crash', 'power', 'partition'];

/**
 * The fault-free tail a run needs to recover from its faults before the checks judge its final logs: a
 * broker that crashed just before the last fault ended is registered again only once its old session
 * expires (broker.session.timeout.ms, or zookeeper.session.timeout.ms for ZooKeeper-era clusters), then
 * it catches up and rejoins the ISR; 6 s more covers that and the clients' retries.
 */
export function recoveryMs(base: Scenario): number {
  const key = base.cluster.behaviour.controller === 'zookeeper' ? 'zookeeper.session.timeout.ms' : 'broker.session.timeout.ms';
  return Number(base.cluster.config[key] ?? 9000) + 6000;
}

/**
 * Where a search puts faults in `base`: from its first second (or tenth) to its quiet tail, or to its
 * liveness phase when it has one (then no tail unless `quietMs` asks for one).
 */
export function faultWindow(base: Scenario, options: ScheduleOptions = {}): FaultWindow {
  // With a liveness phase (`liveness:`) the run heals everything and recovers after its safety phase.
  const durationMs = Math.floor((base.liveness?.healAtUs ?? base.durationUs) / 1000);
  const quietMs = options.quietMs ?? (base.liveness ? 0 : recoveryMs(base));
  const window: FaultWindow = { fromMs: Math.min(1000, Math.floor(durationMs / 10)), untilMs: Math.max(0, durationMs - quietMs) };
  if (options.oneAtATime) window.spacingMs = recoveryMs(base);
  return window;
}

function stepArbitrary(base: Scenario, kinds: readonly FaultKind[], window: FaultWindow, options: ScheduleOptions): fc.Arbitrary<FaultStep> {
  const brokers = base.cluster.brokers;
  const broker = fc.integer({ min: 0, max: brokers.length - 1 }).map((i) => brokers[i]!);
  const dirs = logDirs(base.cluster.config['log.dirs'] as string);
  const minFor = options.minForMs ?? 500;
  const maxFor = Math.max(minFor, options.maxForMs ?? 15_000);
  const fields = {
    kind: fc.constantFrom(...kinds),
    atMs: fc.integer({ min: window.fromMs, max: Math.max(window.fromMs, window.untilMs - 1) }),
    forMs: fc.integer({ min: minFor, max: maxFor }),
    broker,
    peer: broker,
    factor: fc.constantFrom(10, 100),
  };
  // A directory is drawn only when there are several (so a base with one draws what it always drew).
  const dir = dirs.length > 1 ? fc.integer({ min: 0, max: dirs.length - 1 }) : fc.constant(-1);
  return fc.tuple(fc.record(fields), dir).map(([{ kind, peer, factor, ...s }, d]): FaultStep => {
    if (kind === 'oneway') return { kind, ...s, peer };
    if (kind === 'slowdisk') return { kind, ...s, factor };
    if (kind === 'diskfail' && d >= 0) return { kind, ...s, dir: dirs[d] };
    return { kind, ...s };
  });
}

function checkKinds(kinds: readonly FaultKind[]): void {
  const bad = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (bad.length > 0 || kinds.length === 0) throw new Error(`fault kinds: got ${bad.join(', ') || 'none'}; expected some of ${FAULT_KINDS.join(', ')}`);
}

/** Fault schedules for `base`: lists of steps, shrinking towards fewer, earlier and shorter faults. */
export function faultSteps(base: Scenario, options: ScheduleOptions = {}): fc.Arbitrary<FaultStep[]> {
  const kinds = options.faults ?? DEFAULT_FAULT_KINDS;
  checkKinds(kinds);
  const window = faultWindow(base, options);
  if (window.untilMs <= window.fromMs) return fc.constant([]);
  return fc.array(stepArbitrary(base, kinds, window, options), { minLength: 1, maxLength: options.maxFaults ?? 4 });
}

/**
 * A schedule and a run seed, and with `vary` a value for each setting (shrinking towards the first value
 * listed: list the one you would rather keep first); `valid` keeps only the combinations the scenario
 * accepts. The seed does not shrink (a smaller seed is not a simpler run).
 */
export function exploreCases(
  base: Scenario,
  options: ScheduleOptions = {},
  vary: SettingChoices = {},
  valid: (settings: Record<string, SettingValue>) => boolean = () => true,
): fc.Arbitrary<ExploreCase> {
  const steps = faultSteps(base, options);
  const seed = fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 }));
  const keys = Object.keys(vary);
  if (keys.length === 0) return fc.record({ steps, seed });
  const settings = fc.record(Object.fromEntries(keys.map((k) => [k, fc.constantFrom(...vary[k]!)])) as Record<string, fc.Arbitrary<SettingValue>>).filter(valid);
  return fc.record({ steps, seed, settings });
}

/** The scenario file text of a drawn scenario, kept beside it for printing and saving. */
const TEXT = new WeakMap<Scenario, () => string>();

/** The scenario file a scenario drawn by these arbitraries comes from (undefined for any other scenario). */
export function scenarioText(s: Scenario): string | undefined {
  return TEXT.get(s)?.();
}

function remember(s: Scenario, text: () => string): Scenario {
  let cached: string | undefined;
  const once = () => (cached ??= text());
  TEXT.set(s, once);
  Object.defineProperty(s, fc.toStringMethod, { value: once, enumerable: false });
  return s;
}

/**
 * `baseText` (a scenario file) with `faults:` replaced by `steps` and `seed:` by `seed`, without its
 * `expect:` block. `extra` sets top-level entries (a counterexample's description); undefined removes one.
 */
export function scheduleText(baseText: string, steps: readonly FaultStep[], window: FaultWindow, seed?: number, extra: Record<string, unknown> = {}): string {
  const doc = parseDocument(baseText);
  if (seed !== undefined) doc.set('seed', seed);
  doc.delete('expect');
  doc.set('faults', new Document(rawFaults(planSteps(steps, window))).contents);
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) doc.delete(k);
    else doc.set(k, v);
  }
  return doc.toString({ lineWidth: 0 });
}

/** `base` running `steps` (planned in `window`). */
export function caseScenario(base: Scenario, steps: readonly FaultStep[], window: FaultWindow): Scenario {
  return withFaults(base, rawFaults(planSteps(steps, window)), 'schedule');
}

/**
 * Scenarios: `base` (a parsed scenario or its file's text) with random fault schedules, each with a
 * random seed. fast-check prints a failing one as its scenario file (with `base`'s text) or its faults.
 */
export function faultSchedules(base: Scenario | string, options: ScheduleOptions = {}): fc.Arbitrary<Scenario> {
  const parsed = typeof base === 'string' ? parseScenario(base, 'base') : base;
  const window = faultWindow(parsed, options);
  return exploreCases(parsed, options).map(({ steps, seed }) => {
    const s = { ...caseScenario(parsed, steps, window), seed };
    const text = typeof base === 'string' ? () => scheduleText(base, steps, window, seed) : () => new Document({ seed, faults: rawFaults(planSteps(steps, window)) }).toString({ lineWidth: 0 });
    return remember(s, text);
  });
}

/** Settings a configuration search varies, each with the values it may take (as `kafkasim run --set`). */
export type SettingChoices = Readonly<Record<string, readonly SettingValue[]>>;

/** The settings {@link clusterConfigs} varies unless told otherwise: the ones that decide durability. */
export const DURABILITY_SETTINGS: SettingChoices = {
  acks: ['0', '1', 'all'],
  'min.insync.replicas': [1, 2, 3],
  'unclean.leader.election.enable': [false, true],
  'enable.idempotence': [true, false],
};

/**
 * Cluster configurations: `baseText` with each setting of `choices` set to one of its values (settings as
 * `kafkasim run --set` takes them: Kafka config names, brokers, replication.factor, kafkaVersion).
 * Combinations the scenario rejects (min.insync.replicas above the replication factor, ...) are skipped.
 */
export function clusterConfigs(baseText: string, choices: SettingChoices = DURABILITY_SETTINGS): fc.Arbitrary<Scenario> {
  const entries = Object.entries(choices).map(([k, vs]) => fc.constantFrom(...vs).map((v) => [k, v] as const));
  return fc
    .tuple(...entries)
    .map((pairs) => {
      const text = applySettings(baseText, Object.fromEntries(pairs));
      try {
        return remember(parseScenario(text, 'config'), () => text);
      } catch {
        return undefined;
      }
    })
    .filter((s): s is Scenario => s !== undefined);
}
