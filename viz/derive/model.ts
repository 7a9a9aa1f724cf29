/**
 * Everything the page derives from a trace, in one pass as events arrive: the frame index (keyframes),
 * the narrative and time series for the charts.
 */
import type { TraceEvent } from '../../sim/index.js';
import { batchKey, TraceIndex, type Frame } from './frames.js';
import { GroupSeries } from './group-series.js';
import { NarrativeBuilder, type NarrativeItem } from './narrative.js';

export interface SeriesPoint {
  /** Bucket start, µs. */
  t: number;
  acked: number;
  failed: number;
  /** Cumulative acknowledged records lost. */
  lost: number;
  /** Under-replicated partitions (ISR smaller than the replica set) at the bucket's end. */
  urp: number;
  /** Consumer groups' lag: the most records below the high watermarks their members had not read, summed over the groups; NaN without a sample. */
  lag: number;
  /** Mean produce latency (batch creation → acknowledgement), ms; NaN if no ack in the bucket. */
  latencyMs: number;
  latSum: number;
  latN: number;
  /**
   * Produce latency percentiles of the bucket's acknowledgements (nearest rank), ms; NaN while the bucket
   * is still filling (a later event or the trace's end closes it) or without acks.
   */
  p50Ms: number;
  p99Ms: number;
  /** The bucket's latencies until it closes. */
  lats?: number[];
}

/** Nearest-rank percentile of ascending `xs`. */
function rank(xs: number[], q: number): number {
  return xs[Math.max(0, Math.ceil(q * xs.length) - 1)];
}

/** A bucket's percentiles, once no more acks can fall in it. */
function close(p: SeriesPoint): void {
  const xs = p.lats;
  if (xs === undefined) return;
  p.lats = undefined;
  xs.sort((a, b) => a - b);
  p.p50Ms = rank(xs, 0.5);
  p.p99Ms = rank(xs, 0.99);
}

export class Series {
  readonly points: SeriesPoint[] = [];
  width = 1_000_000;
  /** Creation time of the first record of each batch not acknowledged yet: per partition, by pid and seq. */
  private readonly firstUs = new Map<string, Map<number | string, number>>();

  event(ev: TraceEvent, f: Readonly<Frame>): void {
    switch (ev.type) {
      case 'header':
        this.width = Math.max(100_000, Math.ceil(ev.durationUs / 300 / 100_000) * 100_000);
        return;
      case 'batch': {
        this.point(ev.t);
        let m = this.firstUs.get(ev.tp);
        if (m === undefined) this.firstUs.set(ev.tp, (m = new Map()));
        m.set(batchKey(ev.pid, ev.seq), ev.firstUs);
        return;
      }
      case 'ack': {
        const p = this.point(ev.t);
        const m = this.firstUs.get(ev.tp);
        const key = batchKey(ev.pid, ev.seq);
        const first = m?.get(key);
        if (first !== undefined) m!.delete(key);
        if (ev.error === 'NONE') {
          p.acked += ev.count;
          if (first !== undefined) {
            p.latSum += (ev.t - first) / 1000;
            p.latN++;
            p.latencyMs = p.latSum / p.latN;
            (p.lats ??= []).push((ev.t - first) / 1000);
          }
        } else p.failed += ev.count;
        return;
      }
      case 'truncate':
        this.point(ev.t).lost = f.stats.lostAcked;
        return;
      case 'isr':
      case 'election': {
        let urp = 0;
        for (const tp in f.partitions) {
          const x = f.partitions[tp];
          if (x.isr.length < x.replicas.length || x.leader < 0) urp++;
        }
        this.point(ev.t).urp = urp;
        return;
      }
      case 'end': {
        const last = this.points[this.points.length - 1];
        if (last !== undefined) close(last);
        return;
      }
      default:
        // Every event makes the points up to its time (the charts' loaded extent).
        if (ev.t >= this.points.length * this.width) this.point(ev.t);
    }
  }

  /** A sample of the groups' lag (the bucket keeps its largest; a bucket without one, the one before's). */
  lagAt(t: number, lag: number): void {
    const k = Math.floor(t / this.width);
    const p = this.point(t);
    p.lag = k === this.lagK ? Math.max(p.lag, lag) : lag;
    this.lagK = k;
  }
  private lagK = -1;

  /** The point of the bucket at `t`, made (with the buckets before it) if needed. */
  private point(t: number): SeriesPoint {
    const k = Math.floor(t / this.width);
    while (this.points.length <= k) {
      const prev = this.points[this.points.length - 1];
      if (prev !== undefined) close(prev);
      this.points.push({
        t: this.points.length * this.width,
        acked: 0,
        failed: 0,
        lost: prev?.lost ?? 0,
        urp: prev?.urp ?? 0,
        lag: prev?.lag ?? NaN,
        latencyMs: NaN,
        latSum: 0,
        latN: 0,
        p50Ms: NaN,
        p99Ms: NaN,
      });
    }
    return this.points[k];
  }
}

export class Model {
  readonly narrative = new NarrativeBuilder();
  readonly series = new Series();
  /** Consumer groups' lag over time and the records they received again. */
  readonly groups = new GroupSeries();
  readonly index: TraceIndex;

  constructor(every = 2000) {
    this.index = new TraceIndex({
      every,
      observe: (ev: TraceEvent, i: number, f: Readonly<Frame>, lostBefore: number) => {
        const n = this.groups.redeliveries.length;
        const samples = this.groups.samples;
        this.groups.event(ev, i, f);
        if (this.groups.samples > samples) this.series.lagAt(ev.t, this.groups.readLag);
        this.narrative.event(ev, i, f, lostBefore);
        if (this.groups.redeliveries.length > n) this.narrative.redelivered(this.groups.redeliveries[n]);
        this.series.event(ev, f);
      },
    });
  }

  push(events: readonly TraceEvent[]): void {
    this.index.push(events);
  }

  get items(): NarrativeItem[] {
    return this.narrative.items;
  }
}
