/**
 * The old part of a replica's log, kept as a compact index: runs of batches instead of batches. A run is
 * one producer id's consecutive batches in one leader epoch (next offset, next sequence), kept as offset,
 * count, epoch, producer id, first sequence, bytes and the creation times of its first and last record.
 * A log of one producer holds one run per leader epoch however many records it has: memory grows with
 * epochs and producer sessions, not with the records produced.
 *
 * Real Kafka keeps its log on disk; the simulator keeps this index of it. What it forgets is the batch
 * boundaries inside a run and each record's creation time: a read of the cold part gets the run's records
 * cut into batches of its own (from the fetch offset, as many as the fetch's bytes allow), with creation
 * times interpolated between the run's first and last.
 */

/** A log entry as partition-log.ts defines it (restated here: that file builds on this one). */
interface LogEntry {
  offset: number;
  epoch: number;
  batch: { pid: number; seq: number; count: number; idempotent: boolean; bytes: number; createUs: readonly number[] };
}

const OFF = 0,
  CNT = 1,
  EPOCH = 2,
  PID = 3,
  SEQ = 4,
  BYTES = 5,
  FIRST_US = 6,
  LAST_US = 7,
  IDEMPOTENT = 8;
const COLUMNS = 9;

/** The columns of a log with no cold runs yet. */
const EMPTY = new Float64Array(0);

export class ColdRuns {
  /** Runs kept. */
  n = 0;
  /** Empty until the first run (one shared empty array): most partitions' logs have no cold part for long. */
  private cols: Float64Array[] = new Array<Float64Array>(COLUMNS).fill(EMPTY);

  /** The offset after the last cold record (0: none). */
  get end(): number {
    return this.n > 0 ? this.cols[OFF][this.n - 1] + this.cols[CNT][this.n - 1] : 0;
  }

  /** The epoch of the last cold run, or -1. */
  get lastEpoch(): number {
    return this.n > 0 ? this.cols[EPOCH][this.n - 1] : -1;
  }

  /** Add the next entry of the log: it extends the last run when it continues it. */
  add(e: LogEntry): void {
    const b = e.batch;
    const c = this.cols;
    const n = this.n - 1;
    if (n >= 0 && c[OFF][n] + c[CNT][n] === e.offset && c[EPOCH][n] === e.epoch && c[PID][n] === b.pid && c[SEQ][n] + c[CNT][n] === b.seq && c[IDEMPOTENT][n] === (b.idempotent ? 1 : 0)) {
      c[CNT][n] += b.count;
      c[BYTES][n] += b.bytes;
      c[LAST_US][n] = b.createUs[b.count - 1];
      return;
    }
    if (this.n === c[0].length) this.cols = c.map((col) => grow(col));
    const k = this.n++;
    const d = this.cols;
    d[OFF][k] = e.offset;
    d[CNT][k] = b.count;
    d[EPOCH][k] = e.epoch;
    d[PID][k] = b.pid;
    d[SEQ][k] = b.seq;
    d[BYTES][k] = b.bytes;
    d[FIRST_US][k] = b.createUs[0];
    d[LAST_US][k] = b.createUs[b.count - 1];
    d[IDEMPOTENT][k] = b.idempotent ? 1 : 0;
  }

  /** Remove every record at or above `offset` (cutting the run that straddles it). */
  truncateTo(offset: number): void {
    const c = this.cols;
    while (this.n > 0 && c[OFF][this.n - 1] >= offset) this.n--;
    const n = this.n - 1;
    if (n >= 0 && c[OFF][n] + c[CNT][n] > offset) {
      const keep = offset - c[OFF][n];
      c[BYTES][n] = Math.max(1, Math.round((c[BYTES][n] * keep) / c[CNT][n]));
      c[LAST_US][n] = this.createUs(n, keep - 1);
      c[CNT][n] = keep;
    }
  }

  /**
   * A batch of the cold records from `offset` (which must be below {@link end}) up to `limit` (exclusive),
   * within its run, of at most `maxBytes` (at least one record).
   */
  read(offset: number, limit: number, maxBytes: number): LogEntry {
    const c = this.cols;
    const r = this.runOf(offset);
    const skip = offset - c[OFF][r];
    const perRecord = c[BYTES][r] / c[CNT][r];
    const room = Math.max(1, Math.floor(maxBytes / perRecord));
    const count = Math.max(1, Math.min(room, Math.min(limit, c[OFF][r] + c[CNT][r]) - offset));
    const createUs: number[] = new Array(count);
    for (let i = 0; i < count; i++) createUs[i] = this.createUs(r, skip + i);
    const batch = { pid: c[PID][r], seq: c[SEQ][r] + skip, count, idempotent: c[IDEMPOTENT][r] === 1, bytes: Math.max(1, Math.round(perRecord * count)), createUs };
    return { offset, epoch: c[EPOCH][r], batch };
  }

  /** The creation time of the `k`-th record of run `r`, interpolated between its first and last. */
  private createUs(r: number, k: number): number {
    const c = this.cols;
    const span = c[CNT][r] - 1;
    return span <= 0 ? c[FIRST_US][r] : Math.round(c[FIRST_US][r] + ((c[LAST_US][r] - c[FIRST_US][r]) * k) / span);
  }

  /** The run holding `offset`. */
  private runOf(offset: number): number {
    const off = this.cols[OFF];
    const cnt = this.cols[CNT];
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (off[mid] + cnt[mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function grow(col: Float64Array): Float64Array {
  const g = new Float64Array(Math.max(8, col.length * 2));
  g.set(col);
  return g;
}
