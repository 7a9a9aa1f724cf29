/** The names of the invariant checks, what a violation of one says, and the list violations are reported to. */

export const CHECK_NAMES = ['no-acked-record-lost', 'log-matching', 'leader-completeness', 'consistent-read', 'no-duplicates', 'in-order', 'leader-in-isr'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface Violation {
  check: CheckName;
  partition: string;
  detail: string;
  /** When it was detected, ms (the end of the run for end-of-run checks). */
  atMs: number;
}

/** Violations in the order they were found. */
export class Violations {
  readonly list: Violation[] = [];

  report(check: CheckName, partition: string, detail: string, tUs: number): void {
    this.list.push({ check, partition, detail, atMs: tUs / 1000 });
  }
}
