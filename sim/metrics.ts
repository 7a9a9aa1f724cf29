/**
 * Latency and error metrics the clients record as they go (HdrHistogram, in µs). These are
 * measurements, not checks: checks read the trace.
 */
import * as hdr from 'hdr-histogram-js';

export interface Percentiles {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  count: number;
}

function histogram(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

export class Metrics {
  /** send() to acknowledgement, per record, µs. */
  readonly produce = histogram();
  /** send() to a consumer receiving it, per record, µs. */
  readonly endToEnd = histogram();
  readonly errors = new Map<string, number>();

  recordProduce(nowUs: number, createUs: ArrayLike<number>): void {
    for (let i = 0; i < createUs.length; i++) this.produce.recordValue(Math.max(1, nowUs - createUs[i]));
  }

  recordEndToEnd(nowUs: number, createUs: ArrayLike<number>, from: number): void {
    for (let i = from; i < createUs.length; i++) this.endToEnd.recordValue(Math.max(1, nowUs - createUs[i]));
  }

  countError(error: string): void {
    this.errors.set(error, (this.errors.get(error) ?? 0) + 1);
  }
}

/** Percentiles in milliseconds (rounded to µs precision). */
export function percentilesMs(h: hdr.Histogram): Percentiles {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { p50: 0, p99: 0, p999: 0, max: 0, count: 0 };
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    count: h.totalCount,
  };
}
