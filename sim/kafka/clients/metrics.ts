/**
 * Latency and error metrics the clients record as they go. These are measurements, not checks:
 * checks read the trace.
 *
 * Latencies are counted in log-linear buckets (1024 distinct values per power of two, so values keep three
 * significant digits, as HdrHistogram with numberOfSignificantValueDigits=3), which costs a few
 * nanoseconds per record; percentiles are then read with HdrHistogram (hdr-histogram-js).
 */
import * as hdr from 'hdr-histogram-js';

export interface Percentiles {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  count: number;
}

const SUB_BITS = 11;
const SUB = 1 << SUB_BITS;

/** Counts of values (µs) in log-linear buckets. */
export class LatencyCounts {
  private counts = new Float64Array(SUB * 8);
  total = 0;

  record(us: number): void {
    const v = us < 1 ? 1 : Math.floor(us);
    let i: number;
    if (v < SUB) {
      i = v;
    } else {
      // v has b = 32 - clz32(v) > SUB_BITS bits: keep its top SUB_BITS bits (SUB/2 .. SUB-1) in row e.
      const e = 32 - Math.clz32(v) - SUB_BITS;
      i = e * SUB + (v >>> e);
    }
    if (i >= this.counts.length) this.grow(i);
    this.counts[i]++;
    this.total++;
  }

  private grow(i: number): void {
    const n = new Float64Array(Math.max(i + 1, this.counts.length * 2));
    n.set(this.counts);
    this.counts = n;
  }

  /** The histogram, for percentiles. */
  toHistogram(): hdr.Histogram {
    const h = hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 2 ** 42, numberOfSignificantValueDigits: 3, useWebAssembly: false });
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i];
      if (c > 0) h.recordValueWithCount(bucketValue(i), c);
    }
    return h;
  }
}

/** The lowest value of bucket i (the inverse of LatencyCounts.record's index). */
function bucketValue(i: number): number {
  if (i < SUB) return i;
  const e = Math.floor(i / SUB);
  return (i - e * SUB) * 2 ** e;
}

export class Metrics {
  /** send() to acknowledgement, per record, µs. */
  readonly produce = new LatencyCounts();
  /** send() to a consumer receiving it, per record, µs. */
  readonly endToEnd = new LatencyCounts();
  readonly errors = new Map<string, number>();

  /** Records [0, count) of a batch were acknowledged at nowUs. */
  recordProduce(nowUs: number, createUs: ArrayLike<number>, count: number): void {
    for (let i = 0; i < count; i++) this.produce.record(nowUs - createUs[i]);
  }

  /** Records [from, count) of a batch reached a consumer at nowUs. */
  recordEndToEnd(nowUs: number, createUs: ArrayLike<number>, from: number, count: number): void {
    for (let i = from; i < count; i++) this.endToEnd.record(nowUs - createUs[i]);
  }

  countError(error: string, n = 1): void {
    this.errors.set(error, (this.errors.get(error) ?? 0) + n);
  }
}

/** Percentiles in milliseconds (µs precision). */
export function percentilesMs(c: LatencyCounts): Percentiles {
  const ms = (us: number) => Math.round(us) / 1000;
  if (c.total === 0) return { p50: 0, p99: 0, p999: 0, max: 0, count: 0 };
  const h = c.toHistogram();
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    count: h.totalCount,
  };
}
