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
    this.cols = Array.from({ length: ncols }, () => new Float64Array(4));
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
