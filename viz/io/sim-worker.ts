/**
 * The simulator in a Web Worker: the same sim/ code as the CLI. Runs a scenario with an array sink and
 * posts its events in chunks, then the trace hash and the summary. (Trace files: viz/trace-worker.ts.)
 */
import { budgetProblem, createSimulation, parseScenario, type Simulation, type TraceEvent, type TraceSink } from '../../sim/index.js';
import { settingsInForce } from '../app/knobs.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

const CHUNK = 25_000;
/**
 * What a run in the page may hold: the page keeps every trace event (the worker's copy and the page's), so
 * a run beyond these is refused with a message, and the run shown stays. The largest shipped scenario has
 * about 530,000 events; `kafkasim run --trace` has no such limit.
 */
const PAGE_LIMITS = Object.freeze({ events: 3_000_000, modelBytes: 1e9 });

/** Refusal of a run too big for the page: what to do instead. */
const ELSEWHERE = 'run it with npx kafkasim run FILE --trace out.ndjson and open the trace, or make the scenario smaller or shorter';
/** Wall time between progress reports (and flushes of the events so far). */
const PROGRESS_MS = 150;

const post = (m: WorkerReply, transfer: Transferable[] = []): void => (self as unknown as { postMessage(m: WorkerReply, transfer: Transferable[]): void }).postMessage(m, transfer);

/** Events seen before the projection of a run's total is trusted (a run's start can be busier than its average). */
const PROJECT_AFTER_EVENTS = 250_000;

class ChunkSink implements TraceSink {
  private buf: TraceEvent[] = [];
  count = 0;
  constructor(
    private readonly id: number,
    private readonly source: string,
    private readonly durationUs: number,
  ) {}
  event(ev: TraceEvent): void {
    if (++this.count > PAGE_LIMITS.events) this.refuse(this.count, ev.t);
    this.buf.push(ev);
    if (this.buf.length >= CHUNK) this.flush();
  }
  /**
   * Stops a run that will not fit: once past PROJECT_AFTER_EVENTS, its events so far over its simulated time
   * so far, times its length, project its total (a 1,000-broker cluster is refused in seconds, not minutes).
   */
  check(tUs: number): void {
    if (this.count >= PROJECT_AFTER_EVENTS && tUs > 0 && (this.count / tUs) * this.durationUs > PAGE_LIMITS.events) this.refuse(Math.round((this.count / tUs) * this.durationUs), tUs);
  }

  private refuse(projected: number, tUs: number): never {
    const n = (x: number) => x.toLocaleString('en-US');
    const so = `${n(this.count)} in its first ${(tUs / 1e6).toFixed(1)} s of ${(this.durationUs / 1e6).toFixed(1)} s`;
    throw new Error(`${this.source}: this run would make about ${n(projected)} trace events (${so}), more than the page can hold (${n(PAGE_LIMITS.events)}); ${ELSEWHERE}`);
  }

  flush(): void {
    if (this.buf.length === 0) return;
    post({ kind: 'events', id: this.id, events: this.buf });
    this.buf = [];
  }
}

/**
 * Runs to the end in slices of simulated time, posting the events so far and the progress at most every
 * PROGRESS_MS of wall time: the page draws the first moments and a progress bar while the rest runs.
 * The same events as one run(): runUntil stops between kernel events.
 */
function runWithProgress(sim: Simulation, durationUs: number, sink: ChunkSink, id: number): void {
  const slice = Math.max(1, Math.ceil(durationUs / 200));
  // The first slice's events go out at once: the page draws the run's first moments while the rest runs.
  let last = -Infinity;
  for (let t = slice; t < durationUs && !sim.done; t += slice) {
    sim.runUntil(t);
    sink.check(t);
    const now = performance.now();
    if (now - last >= PROGRESS_MS) {
      last = now;
      sink.flush();
      post({ kind: 'progress', id, tUs: t, durationUs });
    }
  }
  sim.run();
  sink.flush();
}

async function handle(req: WorkerRequest): Promise<void> {
  const t0 = performance.now();
  if (req.kind === 'run') {
    const scenario = parseScenario(req.text, req.source);
    const tooBig = budgetProblem(scenario, PAGE_LIMITS.modelBytes, 'the page');
    if (tooBig !== undefined) throw new Error(`${req.source}: ${tooBig}; ${ELSEWHERE}`);
    const faultTimes = scenario.faults.map((f) => f.atUs);
    const firstFaultUs = faultTimes.length > 0 ? faultTimes.reduce((a, b) => Math.min(a, b)) : undefined;
    const lastFaultUs = faultTimes.length > 0 ? faultTimes.reduce((a, b) => Math.max(a, b)) : undefined;
    const counterexample = scenario.counterexample !== undefined ? { counterexample: scenario.counterexample } : {};
    post({
      kind: 'started',
      id: req.id,
      seed: req.seed ?? scenario.seed,
      durationUs: scenario.durationUs,
      firstFaultUs,
      lastFaultUs,
      settings: settingsInForce(req.text, scenario),
      ...counterexample,
    });
    const sink = new ChunkSink(req.id, req.source, scenario.durationUs);
    const sim = createSimulation(scenario, { seed: req.seed, sinks: [sink] });
    runWithProgress(sim, scenario.durationUs, sink, req.id);
    post({ kind: 'done', id: req.id, hash: sim.trace.hasher.digest(), events: sim.trace.count, summary: sim.summary(), ms: performance.now() - t0 });
    return;
  }
  // Trace files are read by viz/trace-worker.ts (a small worker that starts fast).
  throw new Error(`worker.ts runs scenarios, not ${req.kind} requests`);
}

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  handle(e.data).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    post({ kind: 'error', id: e.data.id, message: message.split('\n')[0] });
  });
};
