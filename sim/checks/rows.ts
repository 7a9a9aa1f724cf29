/**
 * Rows of numbers in growable typed columns, and the column layouts the checks use: batches of a replica
 * log, acknowledgements, reads.
 */

/**
 * Rows of numbers in growable typed columns: the checker keeps millions of small records (batches in
 * replica logs, acknowledgements, reads) without millions of objects for the garbage collector.
 */
/**
 * The columns of a table with no rows yet. Hundreds of thousands of partitions each have several tables,
 * most of them empty for long; an ArrayBuffer each would cost memory and garbage-collector time.
 */
const EMPTY = new Float64Array(0);

export class Rows {
  n = 0;
  private cols: Float64Array[];

  /** Columns start empty (one shared empty array): a table that is never written allocates nothing. */
  constructor(ncols: number) {
    this.cols = new Array<Float64Array>(ncols).fill(EMPTY);
  }

  /** Append a row (columns beyond the table's are ignored; missing ones are 0). */
  push(a: number, b: number, c: number, d: number, e: number, f = 0, g = 0): void {
    if (this.n === this.cols[0].length) {
      this.cols = this.cols.map((col) => {
        const g = new Float64Array(Math.max(4, col.length * 2));
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
    if (cols.length > 6) cols[6][n] = g;
  }

  /** Remove row `i`, moving the rows after it up. */
  remove(i: number): void {
    for (const col of this.cols) col.copyWithin(i, i + 1, this.n);
    this.n--;
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
  /** The reader: a consumer without a group, or a group (all its members read as one). */
  C_WHO = 5,
  /** The consumer that read. */
  C_CONSUMER = 6;

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

/** How many of the last acknowledgement rows a new acknowledgement may extend (responses arrive out of order). */
const ACK_WINDOW = 16;

/**
 * Record an acknowledgement: it extends one of the last rows when it continues it or comes just before
 * it (same producer and acks, next sequence and offset; produce responses may complete out of order),
 * and two rows it joins become one.
 */
export function ackRun(acked: Rows, pid: number, seq: number, count: number, offset: number, all: number): void {
  const from = Math.max(0, acked.n - ACK_WINDOW);
  for (let i = acked.n - 1; i >= from; i--) {
    if (acked.col(A_PID)[i] !== pid || acked.col(A_ALL)[i] !== all) continue;
    if (adjoins(acked, i, seq, offset)) {
      acked.col(A_COUNT)[i] += count;
      joinNext(acked, i, from);
      return;
    }
    if (adjoins(acked, i, seq + count, offset < 0 ? offset : offset + count, true)) {
      acked.col(A_SEQ)[i] = seq;
      acked.col(A_OFFSET)[i] = offset;
      acked.col(A_COUNT)[i] += count;
      joinNext(acked, i, from);
      return;
    }
  }
  acked.push(pid, seq, count, offset, all);
}

/** Whether ack row `i` ends where records from `seq` at `offset` start (or, `starts`, starts there). */
function adjoins(acked: Rows, i: number, seq: number, offset: number, starts = false): boolean {
  const cnt = starts ? 0 : acked.col(A_COUNT)[i];
  const off = acked.col(A_OFFSET)[i];
  return acked.col(A_SEQ)[i] + cnt === seq && (off < 0 ? offset < 0 : off + cnt === offset);
}

/** Row `i` grew: join the row of the window it now meets (before or after it), if any. */
function joinNext(acked: Rows, i: number, from: number): void {
  const pid = acked.col(A_PID)[i];
  const all = acked.col(A_ALL)[i];
  for (let j = acked.n - 1; j >= from; j--) {
    if (j === i || acked.col(A_PID)[j] !== pid || acked.col(A_ALL)[j] !== all) continue;
    if (adjoins(acked, i, acked.col(A_SEQ)[j], acked.col(A_OFFSET)[j])) {
      acked.col(A_COUNT)[i] += acked.col(A_COUNT)[j];
    } else if (adjoins(acked, j, acked.col(A_SEQ)[i], acked.col(A_OFFSET)[i])) {
      acked.col(A_SEQ)[i] = acked.col(A_SEQ)[j];
      acked.col(A_OFFSET)[i] = acked.col(A_OFFSET)[j];
      acked.col(A_COUNT)[i] += acked.col(A_COUNT)[j];
    } else continue;
    acked.remove(j);
    return;
  }
}

/** Record a read: it extends the last row when it continues it (same consumer and producer, next offset and sequence). */
export function readRun(consumed: Rows, offset: number, count: number, pid: number, seq: number, t: number, who: number, consumer: number): void {
  const n = consumed.n - 1;
  if (n >= 0) {
    const cnt = consumed.col(C_COUNT);
    if (
      consumed.col(C_OFFSET)[n] + cnt[n] === offset &&
      consumed.col(C_CONSUMER)[n] === consumer &&
      consumed.col(C_WHO)[n] === who &&
      consumed.col(C_PID)[n] === pid &&
      consumed.col(C_SEQ)[n] + cnt[n] === seq
    ) {
      cnt[n] += count;
      return;
    }
  }
  consumed.push(offset, count, pid, seq, t, who, consumer);
}
