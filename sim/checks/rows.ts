/**
 * Rows of numbers in growable typed columns, and the column layouts the checks use: batches of a replica
 * log, acknowledgements, reads.
 */

/**
 * Rows of numbers in growable typed columns: the checker keeps millions of small records (batches in
 * replica logs, acknowledgements, reads) without millions of objects for the garbage collector.
 */
export class Rows {
  n = 0;
  private cols: Float64Array[];

  constructor(ncols: number) {
    this.cols = Array.from({ length: ncols }, () => new Float64Array(64));
  }

  /** Append a row (columns beyond the table's are ignored; missing ones are 0). */
  push(a: number, b: number, c: number, d: number, e: number, f = 0): void {
    if (this.n === this.cols[0].length) {
      this.cols = this.cols.map((col) => {
        const g = new Float64Array(col.length * 2);
        g.set(col);
        return g;
      });
    }
    const cols = this.cols;
    const n = this.n++;
    cols[0][n] = a;
    cols[1][n] = b;
    cols[2][n] = c;
    cols[3][n] = d;
    cols[4][n] = e;
    if (cols.length > 5) cols[5][n] = f;
  }

  col(i: number): Float64Array {
    return this.cols[i];
  }
}

/** Columns of a replica log's batches. */
export const OFFSET = 0,
  COUNT = 1,
  EPOCH = 2,
  PID = 3,
  SEQ = 4;
export const LOG_COLUMNS = [OFFSET, COUNT, EPOCH, PID, SEQ] as const;
/** Columns of acknowledgements: pid, seq, count, offset, acks=all (1/0). */
export const A_PID = 0,
  A_SEQ = 1,
  A_COUNT = 2,
  A_OFFSET = 3,
  A_ALL = 4;
/** Columns of reads: offset, count, pid, seq, time (µs), consumer (index). */
export const C_OFFSET = 0,
  C_COUNT = 1,
  C_PID = 2,
  C_SEQ = 3,
  C_T = 4,
  C_WHO = 5;

/** The log end offset of a replica log. */
export function leoOf(log: Rows): number {
  const n = log.n;
  return n > 0 ? log.col(OFFSET)[n - 1] + log.col(COUNT)[n - 1] : 0;
}

/** Append a batch to a replica log's runs: it extends the last run when it continues it exactly. */
export function appendRun(log: Rows, offset: number, count: number, epoch: number, pid: number, seq: number): void {
  const n = log.n - 1;
  if (n >= 0) {
    const cnt = log.col(COUNT);
    if (log.col(OFFSET)[n] + cnt[n] === offset && log.col(EPOCH)[n] === epoch && log.col(PID)[n] === pid && log.col(SEQ)[n] + cnt[n] === seq) {
      cnt[n] += count;
      return;
    }
  }
  log.push(offset, count, epoch, pid, seq);
}

/** Remove every record at or above `to` from a replica log's runs (cutting the run that straddles it). */
export function truncateRuns(log: Rows, to: number): void {
  const off = log.col(OFFSET);
  while (log.n > 0 && off[log.n - 1] >= to) log.n--;
  const n = log.n - 1;
  if (n >= 0 && off[n] + log.col(COUNT)[n] > to) log.col(COUNT)[n] = to - off[n];
}

/** Record an acknowledgement: it extends the last row when it continues it (same producer and acks, next sequence and offset). */
export function ackRun(acked: Rows, pid: number, seq: number, count: number, offset: number, all: number): void {
  const n = acked.n - 1;
  if (n >= 0) {
    const cnt = acked.col(A_COUNT);
    const off = acked.col(A_OFFSET)[n];
    const nextOffset = off < 0 ? offset < 0 : off + cnt[n] === offset;
    if (nextOffset && acked.col(A_PID)[n] === pid && acked.col(A_SEQ)[n] + cnt[n] === seq && acked.col(A_ALL)[n] === all) {
      cnt[n] += count;
      return;
    }
  }
  acked.push(pid, seq, count, offset, all);
}

/** Record a read: it extends the last row when it continues it (same consumer and producer, next offset and sequence). */
export function readRun(consumed: Rows, offset: number, count: number, pid: number, seq: number, t: number, who: number): void {
  const n = consumed.n - 1;
  if (n >= 0) {
    const cnt = consumed.col(C_COUNT);
    if (consumed.col(C_OFFSET)[n] + cnt[n] === offset && consumed.col(C_WHO)[n] === who && consumed.col(C_PID)[n] === pid && consumed.col(C_SEQ)[n] + cnt[n] === seq) {
      cnt[n] += count;
      return;
    }
  }
  consumed.push(offset, count, pid, seq, t, who);
}
