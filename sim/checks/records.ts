/**
 * The record counters of a run, each with what it counts: the one list the checker's result, the run
 * summary (`records`) and the scenario file's `expect.records` are derived from.
 */

/** Record counters, in the order the summary prints them, with what each counts. */
export const RECORD_COUNTER_DOCS = {
  sent: 'Records the applications called send() for.',
  acked: 'Records acknowledged to the application (error NONE; for acks=0, once written to the socket).',
  failed: 'Records whose send failed (an exception from send(), delivery timeout, fatal error, producer crash).',
  lostAcked: "Acknowledged records missing from their partition's final log.",
  duplicated: 'Records present more than once in a final log.',
  consumed: 'Records received by consumers.',
  reordered: 'Records written after a record their producer sent later.',
  truncated: 'Records removed from replica logs by truncation.',
  skipped:
    "Records of a final log below a consumer's position that it never received (skipped after a truncation); for a group, below its members' positions and received (processed, with worker threads) by none of them.",
  redelivered: 'Records a consumer, or a group across its members, received again after receiving them once (at-least-once replays after a crash or a rebalance).',
} as const;

/** A record counter's name: `sent`, `acked`, ... (see {@link RECORD_COUNTER_DOCS}). */
export type RecordCounter = keyof typeof RECORD_COUNTER_DOCS;

/** Record counters of the run summary that `expect.records` may name, in order. */
export const RECORD_COUNTERS = Object.keys(RECORD_COUNTER_DOCS) as readonly RecordCounter[];

/** A value for every record counter (see {@link RECORD_COUNTER_DOCS} for what each counts). */
export type RecordCounts = { [K in RecordCounter]: number };
