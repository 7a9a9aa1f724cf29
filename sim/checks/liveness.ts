/**
 * The liveness phase of a run: the quiet, healed time at its end. Read from the trace: when the last
 * fault happened (or the last broker or link changed state after it), and whether at the end every
 * broker runs, every link is up, no process is paused and no disk is slow or failed. The liveness checks
 * (write-answered, fully-replicated) run only when the run ends so, for at least the bound derived
 * from the scenario's configs (sim/run/liveness-bound.ts); else they are skipped, and the summary says why.
 */
import type { TraceEvent } from '../trace/events.js';

/** What the liveness checks wait for, µs, and how it was derived. */
export interface LivenessBounds {
  /**
   * How long after the heal a request in flight across it may still take: a stuck request times out
   * (request.timeout.ms, replica.socket.timeout.ms), the controller sees the brokers again (the session
   * timeout), plus retry backoffs. write-answered expects an answer to every batch sealed this long before the end.
   */
  settleUs: number;
  /** replica.lag.time.max.ms: how far behind the leader an in-sync follower may be. */
  catchUpUs: number;
  /** settle + catchUp: the least quiet time for the liveness checks to run. */
  boundUs: number;
  /** How the bound was derived, for the summary. */
  derivation: string;
}

/** The liveness phase as the summary reports it. */
export interface LivenessReport {
  /** Whether write-answered and fully-replicated ran. */
  checked: boolean;
  /** When the quiet period began (the last fault, or the last broker or link change after it), ms. */
  fromMs: number;
  /** Its length, ms. */
  quietMs: number;
  /** The least quiet time the checks need, ms, and how it was derived. */
  boundMs: number;
  derivation: string;
  /** Why they were skipped (absent when checked). */
  skipped?: string;
}

/** The nodes of a fault's targets that it did not reject ("b2 is already down; b3 ..."). */
function applied(ev: Extract<TraceEvent, { type: 'fault' }>): string[] {
  if (ev.rejected === undefined) return ev.targets;
  const out = new Set(ev.rejected.split('; ').map((r) => r.split(' ')[0]));
  return ev.targets.filter((n) => !out.has(n));
}

export class LivenessPhase {
  private quietFromUs = 0;
  private readonly brokerState = new Map<number, string>();
  private readonly linksDown = new Set<string>();
  private readonly paused = new Set<string>();
  private readonly slowDisks = new Set<string>();
  /** Failed disks not replaced yet: `b<id> <dir>`. */
  private readonly failedDisks = new Set<string>();

  constructor(readonly bounds: LivenessBounds | undefined) {}

  event(ev: TraceEvent): void {
    switch (ev.type) {
      case 'header':
        for (const b of ev.brokers) this.brokerState.set(b, 'running');
        return;
      case 'fault':
        this.quietFromUs = ev.t;
        return this.onFault(ev);
      case 'broker':
        this.quietFromUs = Math.max(this.quietFromUs, ev.t);
        this.brokerState.set(ev.broker, ev.state);
        return;
      case 'link':
        this.quietFromUs = Math.max(this.quietFromUs, ev.t);
        if (ev.up) this.linksDown.delete(`${ev.from}>${ev.to}`);
        else this.linksDown.add(`${ev.from}>${ev.to}`);
        return;
      case 'client':
        this.paused.delete(ev.node);
        return;
      case 'disk':
        if (ev.state === 'failed') this.failedDisks.add(`b${ev.broker} ${ev.dir}`);
        else this.failedDisks.delete(`b${ev.broker} ${ev.dir}`);
        return;
    }
  }

  private onFault(ev: Extract<TraceEvent, { type: 'fault' }>): void {
    switch (ev.verb) {
      case 'pause':
        for (const n of applied(ev)) if (!n.startsWith('b')) this.paused.add(n);
        return;
      case 'resume':
        for (const n of applied(ev)) this.paused.delete(n);
        return;
      case 'slowDisk':
        for (const n of applied(ev)) this.slowDisks.add(n);
        return;
      case 'restoreDisk':
        for (const n of applied(ev)) this.slowDisks.delete(n);
        return;
      case 'healAll':
        this.paused.clear();
        this.slowDisks.clear();
        return;
    }
  }

  /** What is still broken at the end, or '' when everything is healed. */
  private broken(): string {
    const down = [...this.brokerState].filter(([, s]) => s !== 'running').map(([b, s]) => `broker ${b} ${s}`);
    const parts = [...down];
    if (this.linksDown.size > 0) parts.push(`${this.linksDown.size} link(s) cut`);
    if (this.paused.size > 0) parts.push(`${[...this.paused].sort().join(', ')} paused`);
    if (this.slowDisks.size > 0) parts.push(`slow disk on ${[...this.slowDisks].sort().join(', ')}`);
    if (this.failedDisks.size > 0) parts.push(`failed disk on ${[...new Set([...this.failedDisks].map((d) => d.split(' ')[0]))].sort().join(', ')}`);
    return parts.join(', ');
  }

  /** The liveness phase of a run that ended at `endUs`. */
  report(endUs: number): LivenessReport {
    const b = this.bounds;
    const quietUs = Math.max(0, endUs - this.quietFromUs);
    const base = { fromMs: this.quietFromUs / 1000, quietMs: quietUs / 1000, boundMs: (b?.boundUs ?? 0) / 1000, derivation: b?.derivation ?? '' };
    const broken = this.broken();
    let skipped: string | undefined;
    if (b === undefined) skipped = 'no liveness bound was given';
    else if (broken !== '') skipped = `the run ends with faults not healed: ${broken}`;
    else if (quietUs < b.boundUs) skipped = `the quiet time after the last fault (${quietUs / 1000} ms) is shorter than the bound (${b.boundUs / 1000} ms)`;
    return skipped === undefined ? { checked: true, ...base } : { checked: false, ...base, skipped };
  }
}
