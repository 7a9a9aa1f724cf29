/** Which producer sequences a log holds: the question behind lost, missing and skipped records. */
import { COUNT, PID, SEQ, type Rows } from './rows.js';

/** Per producer id: sorted, merged [seq, end) intervals present in a log. */
export type Coverage = Map<number, Array<[number, number]>>;

export function coverage(log: Rows | undefined): Coverage {
  const by = new Map<number, Array<[number, number]>>();
  if (log === undefined) return by;
  const pidc = log.col(PID);
  const seqc = log.col(SEQ);
  const cnt = log.col(COUNT);
  for (let i = 0; i < log.n; i++) {
    let l = by.get(pidc[i]);
    if (l === undefined) by.set(pidc[i], (l = []));
    const last = l[l.length - 1];
    // Logs are mostly in sequence order: extend the last interval when contiguous.
    if (last !== undefined && seqc[i] === last[1]) last[1] += cnt[i];
    else l.push([seqc[i], seqc[i] + cnt[i]]);
  }
  for (const [pid, l] of by) {
    l.sort((x, y) => x[0] - y[0]);
    const merged: Array<[number, number]> = [];
    for (const iv of l) {
      const last = merged[merged.length - 1];
      if (last !== undefined && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
      else merged.push([iv[0], iv[1]]);
    }
    by.set(pid, merged);
  }
  return by;
}

/** How many of [seq, seq+count) of `pid` the coverage lacks. */
export function uncovered(cov: Coverage, pid: number, seq: number, count: number): number {
  const l = cov.get(pid);
  if (l === undefined) return count;
  const end = seq + count;
  let lo = 0;
  let hi = l.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (l[mid][1] <= seq) lo = mid + 1;
    else hi = mid;
  }
  let covered = 0;
  for (let i = lo; i < l.length && l[i][0] < end; i++) covered += Math.min(end, l[i][1]) - Math.max(seq, l[i][0]);
  return count - covered;
}

/**
 * The records of [seq, seq+count) of `pid` the coverage lacks: how many, and the first and last of them
 * as positions in the range (0 = `seq`); -1 when none is missing.
 */
export function missingSpan(cov: Coverage, pid: number, seq: number, count: number): { missing: number; first: number; last: number } {
  const l = cov.get(pid) ?? [];
  const end = seq + count;
  let missing = 0;
  let first = -1;
  let last = -1;
  let at = seq;
  for (let i = 0; i < l.length && at < end; i++) {
    if (l[i][1] <= at) continue;
    if (l[i][0] > at) {
      const gapEnd = Math.min(end, l[i][0]);
      missing += gapEnd - at;
      if (first < 0) first = at - seq;
      last = gapEnd - 1 - seq;
    }
    at = Math.max(at, l[i][1]);
  }
  if (at < end) {
    missing += end - at;
    if (first < 0) first = at - seq;
    last = end - 1 - seq;
  }
  return { missing, first, last };
}

/**
 * The runs of [seq, seq+count) of `pid` the coverage lacks, as [from, end) positions in the range
 * (0 = `seq`), in order.
 */
export function missingRuns(cov: Coverage, pid: number, seq: number, count: number): Array<[number, number]> {
  const l = cov.get(pid) ?? [];
  const end = seq + count;
  const out: Array<[number, number]> = [];
  let at = seq;
  for (let i = 0; i < l.length && at < end; i++) {
    if (l[i][1] <= at) continue;
    if (l[i][0] > at) out.push([at - seq, Math.min(end, l[i][0]) - seq]);
    at = Math.max(at, l[i][1]);
  }
  if (at < end) out.push([at - seq, end - seq]);
  return out;
}
