/**
 * Everything the page derives from a trace, in one pass as events arrive: the frame index (keyframes),
 * the narrative and time series for the charts.
 */
import type { TraceEvent } from '../sim/trace.js';
import { TraceIndex, type Frame } from './frames.js';
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
  /** Mean produce latency (batch creation → acknowledgement), ms; NaN if no ack in the bucket. */
  latencyMs: number;
  latSum: number;
  latN: number;
}

export class Series {
  readonly points: SeriesPoint[] = [];
  width = 1_000_000;
  private readonly firstUs = new Map<string, number>();

  event(ev: TraceEvent, f: Readonly<Frame>): void {
    if (ev.type === 'header') {
      this.width = Math.max(100_000, Math.ceil(ev.durationUs / 300 / 100_000) * 100_000);
      return;
    }
    const k = Math.floor(ev.t / this.width);
    while (this.points.length <= k) {
      const prev = this.points[this.points.length - 1];
      this.points.push({ t: this.points.length * this.width, acked: 0, failed: 0, lost: prev?.lost ?? 0, urp: prev?.urp ?? 0, latencyMs: NaN, latSum: 0, latN: 0 });
    }
    const p = this.points[k];
    switch (ev.type) {
      case 'batch':
        this.firstUs.set(`${ev.pid}|${ev.tp}|${ev.seq}`, ev.firstUs);
        return;
      case 'ack': {
        const key = `${ev.pid}|${ev.tp}|${ev.seq}`;
        const first = this.firstUs.get(key);
        this.firstUs.delete(key);
        if (ev.error === 'NONE') {
          p.acked += ev.count;
          if (first !== undefined) {
            p.latSum += (ev.t - first) / 1000;
            p.latN++;
            p.latencyMs = p.latSum / p.latN;
          }
        } else p.failed += ev.count;
        return;
      }
      case 'truncate':
        p.lost = f.stats.lostAcked;
        return;
      case 'isr':
      case 'election': {
        let urp = 0;
        for (const tp in f.partitions) {
          const x = f.partitions[tp];
          if (x.isr.length < x.replicas.length || x.leader < 0) urp++;
        }
        p.urp = urp;
        return;
      }
    }
  }
}

export class Model {
  readonly narrative = new NarrativeBuilder();
  readonly series = new Series();
  readonly index: TraceIndex;

  constructor(every = 2000) {
    this.index = new TraceIndex({
      every,
      observe: (ev: TraceEvent, i: number, f: Readonly<Frame>, lostBefore: number) => {
        this.narrative.event(ev, i, f, lostBefore);
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
