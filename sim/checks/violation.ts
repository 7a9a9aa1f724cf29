/** The names of the invariant checks, what a violation of one says, and the list violations are reported to. */

export const CHECK_NAMES = [
  'no-acked-record-lost',
  'log-matching',
  'leader-completeness',
  'consistent-read',
  'no-duplicates',
  'in-order',
  'leader-in-isr',
  'write-answered',
  'fully-replicated',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** The checks of the liveness phase: run only when the run ends with a long enough quiet, healed period (liveness.ts). */
export const LIVENESS_CHECKS: readonly CheckName[] = ['write-answered', 'fully-replicated'];

export interface Violation {
  check: CheckName;
  partition: string;
  detail: string;
  /** When it was detected, ms (the end of the run for end-of-run checks). */
  atMs: number;
  /** The records involved, as inclusive offset ranges [first, last] of the partition (absent: not known). */
  offsets?: Array<[number, number]>;
  /** When its cause happened, ms, where the checks know it cheaply (the election or truncation that removed a record, ...). */
  causeMs?: number;
}

/** What a violation may say beside its detail: the records involved and when its cause happened (µs). */
export interface ViolationExtra {
  offsets?: Array<[number, number]>;
  causeUs?: number;
}

/** Violations in the order they were found. */
export class Violations {
  readonly list: Violation[] = [];

  report(check: CheckName, partition: string, detail: string, tUs: number, extra: ViolationExtra = {}): void {
    const v: Violation = { check, partition, detail, atMs: tUs / 1000 };
    if (extra.offsets !== undefined && extra.offsets.length > 0) v.offsets = extra.offsets;
    if (extra.causeUs !== undefined && extra.causeUs >= 0) v.causeMs = extra.causeUs / 1000;
    this.list.push(v);
  }
}
