/**
 * Fault schedules for a failure search: plain data a search draws and shrinks, and the scenario-file
 * `faults:` entries they stand for. Each step is one fault and its end (crash then restart, partition then
 * heal, ...), so removing a step while shrinking never leaves a broker down or a link cut for good.
 */
import { formatDurationUs } from '../config/units.js';
import type { RawFault } from '../scenario/schema.js';

/** The kinds of fault a search draws (`kafkasim explore --faults`). */
export const FAULT_KINDS = ['crash', 'power', 'partition', 'oneway', 'pause', 'slowdisk', 'diskfail'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What each kind does, and what ends it. */
export const FAULT_KIND_DOCS: Readonly<Record<FaultKind, string>> = {
  crash: 'a broker process crashes (kill -9: the page cache survives), then restarts',
  power: 'a broker loses power (unflushed data is lost), then restarts; one broker at a time',
  partition: 'a broker is cut off from every other node, then healed',
  oneway: 'the link from one broker to another is cut in that direction only, then healed',
  pause: 'a broker process freezes (a long GC pause), then resumes',
  slowdisk: "a broker's disk becomes several times slower, then recovers",
  diskfail: "a broker's disk dies (its only one: the broker halts; one of several log.dirs: that directory's partitions go offline), then the operator replaces it and restarts the broker",
};

/** One fault and its end. Times in ms of simulated time. */
export interface FaultStep {
  kind: FaultKind;
  atMs: number;
  /** How long until the fault ends (restart, heal, resume, restoreDisk). */
  forMs: number;
  broker: number;
  /** oneway: the broker on the other side of the cut link (broker → peer is cut). */
  peer?: number;
  /** slowdisk: how many times slower. */
  factor?: number;
  /** diskfail: the log directory that fails, when the brokers have several (absent: the broker's only disk). */
  dir?: string;
}

/** Where faults may fall: every step starts at or after `fromMs` and has ended by `untilMs`. */
export interface FaultWindow {
  fromMs: number;
  untilMs: number;
  /**
   * One fault at a time: a step starts only once the previous one ended and this long passed (the time
   * the cluster needs to recover). Unset: faults may overlap (on different brokers or links).
   */
  spacingMs?: number;
}

/** The resource a step holds while it lasts: two steps on the same one cannot overlap. */
function resources(s: FaultStep): string[] {
  switch (s.kind) {
    case 'crash':
    case 'pause':
      return [`node ${s.broker}`];
    case 'power':
      return [`node ${s.broker}`, 'power'];
    case 'partition':
      return [`cut ${s.broker}`];
    case 'oneway':
      return [`cut ${s.broker}>${s.peer}`];
    case 'slowdisk':
      return [`disk ${s.broker}`];
    case 'diskfail':
      return [`node ${s.broker}`, `disk ${s.broker}`];
  }
}

/**
 * The steps that will run: clipped to the window, in time order, and without the ones that would
 * overlap an earlier step on the same resource (a broker crashed while already down, two brokers without
 * power at once, the same link cut twice), or any earlier step with one fault at a time, or a oneway cut
 * from a broker to itself.
 */
export function planSteps(steps: readonly FaultStep[], window: FaultWindow): FaultStep[] {
  const busyUntil = new Map<string, number>();
  const ordered = steps
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.atMs >= window.fromMs && s.atMs < window.untilMs && !(s.kind === 'oneway' && s.peer === s.broker))
    .sort((a, b) => a.s.atMs - b.s.atMs || a.i - b.i);
  const out: FaultStep[] = [];
  for (const { s } of ordered) {
    const endMs = Math.min(s.atMs + Math.max(1, s.forMs), window.untilMs);
    const held = resources(s);
    if (held.some((r) => (busyUntil.get(r) ?? -1) > s.atMs)) continue;
    if (window.spacingMs !== undefined && (busyUntil.get('cluster') ?? -1) > s.atMs) continue;
    for (const r of held) busyUntil.set(r, endMs);
    if (window.spacingMs !== undefined) busyUntil.set('cluster', endMs + window.spacingMs);
    out.push({ ...s, forMs: endMs - s.atMs });
  }
  return out;
}

function at(ms: number): string {
  return formatDurationUs(ms * 1000);
}

/** A step's fault and its end, as a scenario file writes them. */
function stepFaults(s: FaultStep): [RawFault, RawFault] {
  const b = `broker ${s.broker}`;
  const start = at(s.atMs);
  const end = at(s.atMs + s.forMs);
  switch (s.kind) {
    case 'crash':
      return [
        { at: start, crash: b },
        { at: end, restart: b },
      ];
    case 'power':
      return [
        { at: start, crash: b, mode: 'power' },
        { at: end, restart: b },
      ];
    case 'partition':
      return [
        { at: start, partition: b },
        { at: end, heal: b },
      ];
    case 'oneway': {
      const cut = { between: [b, `broker ${s.peer}`], oneWay: true };
      return [
        { at: start, partition: cut },
        { at: end, heal: cut },
      ] as [RawFault, RawFault];
    }
    case 'pause':
      return [
        { at: start, pause: b },
        { at: end, resume: b },
      ];
    case 'slowdisk':
      return [
        { at: start, slowDisk: b, factor: s.factor ?? 10 },
        { at: end, restoreDisk: b },
      ];
    case 'diskfail': {
      const dir = s.dir !== undefined ? { dir: s.dir } : {};
      return [
        { at: start, failDisk: b, ...dir },
        { at: end, replaceDisk: b, ...dir },
      ];
    }
  }
}

/** The `faults:` entries of planned steps, in time order (a fault's end before a fault starting then). */
export function rawFaults(planned: readonly FaultStep[]): RawFault[] {
  const timed = planned.flatMap((s) => {
    const [start, end] = stepFaults(s);
    return [
      { ms: s.atMs, order: 1, f: start },
      { ms: s.atMs + s.forMs, order: 0, f: end },
    ];
  });
  timed.sort((a, b) => a.ms - b.ms || a.order - b.order);
  return timed.map((t) => t.f);
}

/** One line per step: `crash broker 2 at 12.5s for 3s`. */
export function describeStep(s: FaultStep): string {
  const what =
    s.kind === 'oneway'
      ? `oneway cut broker ${s.broker} → broker ${s.peer}`
      : s.kind === 'slowdisk'
        ? `slowdisk ×${s.factor ?? 10} broker ${s.broker}`
        : `${s.kind} broker ${s.broker}${s.dir !== undefined ? ` ${s.dir}` : ''}`;
  return `${what} at ${at(s.atMs)} for ${at(s.forMs)}`;
}
