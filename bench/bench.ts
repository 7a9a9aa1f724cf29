/**
 * `npm run bench`: prints one JSON object.
 *
 * - kernelEventsPerSec vs bareLoopEventsPerSec: the same workload (1,000 self-rescheduling timers with
 *   seeded random delays) through the simulation kernel and through a bare binary-heap loop written
 *   inline here, in the same process, interleaved and repeated so machine noise hits both alike.
 * - heavy (three runs, the median reported): bench/heavy.yaml (3 brokers, RF 3, acks=all, 100k records/s of 1 KB, linger.ms 5, 60 s),
 *   simulated with the full model, trace hash and checks, without writing a trace. `cpuSec` is the
 *   process's CPU time during the run (the garbage collector's helper threads included), `wallSec` its
 *   elapsed time.
 * - heavyGroup (one run): bench/heavy-group.yaml, the heavy load read by a six-member consumer group
 *   (range, auto-commit), to see what groups cost in the hot path; `vsHeavy` is its wall time over the
 *   heavy median's (the group's consumers fetch and read every record the heavy run only writes).
 * - memory: bench/memory.yaml (3 brokers, RF 3, acks=all, 1,000 records/s of 1 KB, a consumer, a broker
 *   crash every 10 minutes, 60 minutes simulated), run without a trace sink; the heap used after a full
 *   garbage collection at 10 and at 60 simulated minutes, and their ratio. A run keeps state proportional
 *   to the cluster and what is in flight, not to the records produced: the target is a ratio under 1.25.
 *
 * - explore (issue 14's failure search): runs per minute of bench/explore-run.yaml (3 brokers, 6 partitions,
 *   RF 3, 1,000 keyed records/s of 200 B, a consumer, 60 s simulated, one broker crash and restart and one
 *   network partition and heal) through the public `simulate()` on one core, each run with its own seed and
 *   its faults' times and targets redrawn from that seed, as a search draws them. Rounds of runs
 *   interleaved with the bare loop (a hint of how fast the machine was during that round, since other work
 *   shares its cores): the runs per minute of each round and their range, by the wall clock and by the
 *   process's CPU time (less hit by other work on the machine). Each run is repeated with
 *   `trace: 'full'` (every trace event built, as with sinks), which must give the same trace hash and
 *   violations: its runs per minute are the same-process baseline of summary mode. The search
 *   needs 1,000 runs a minute on two cores, so 500 on one.
 *   `npm run bench -- explore` runs this block alone; `npm run bench` runs it first, in a process that has
 *   run nothing else yet, as a search's would be.
 * - search: `kafkasim explore`'s runs per minute with one worker and with two (bench/search-bench.ts);
 *   `npm run bench -- search` runs this block alone.
 * - plan: a 20-point `kafkasim plan` sweep of the producer rate up to 1,000,000 records/s, 30 s simulated
 *   each, on two workers: the sweep's wall time, each point's, and the 1M/100k cost ratio
 *   (bench/plan-bench.ts); `npm run bench -- plan` runs this block alone.
 *
 * `npm run bench` gives Node --expose-gc (for the memory figures) and --max-semi-space-size=64: the simulator allocates many short-lived objects
 * per batch, and a larger young generation halves the time spent copying survivors.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import seedrandom from 'seedrandom';
import { parse as parseYaml } from 'yaml';
import { createSimulation, Kernel, parseScenario, type Scenario, simulate } from '../sim/index.js';
import { searchBench } from './search-bench.js';
import { planBench } from './plan-bench.js';

const TIMERS = 1000;
const EVENTS = 2_000_000;

function delays(): Float64Array {
  const rng = seedrandom.alea('bench');
  const d = new Float64Array(1 << 16);
  for (let i = 0; i < d.length; i++) d[i] = 1 + Math.floor(rng() * 1000);
  return d;
}

/** The kernel: each timer reschedules itself after a pseudo-random delay. */
function kernelLoop(d: Float64Array): number {
  const k = new Kernel();
  let i = 0;
  const tick = (): void => {
    if (k.fired < EVENTS) k.after(d[i++ & 0xffff], tick);
  };
  for (let j = 0; j < TIMERS; j++) k.after(d[i++ & 0xffff], tick);
  const t0 = performance.now();
  k.run();
  return k.fired / ((performance.now() - t0) / 1000);
}

interface Ev {
  t: number;
  seq: number;
  fn: () => void;
}

/** A bare binary-heap event loop: the least a discrete-event simulator can do per event. */
function bareLoop(d: Float64Array): number {
  const heap: Ev[] = [];
  let seq = 0;
  let now = 0;
  let fired = 0;
  let i = 0;
  const less = (a: Ev, b: Ev) => a.t < b.t || (a.t === b.t && a.seq < b.seq);
  const push = (e: Ev): void => {
    let n = heap.length;
    heap.push(e);
    while (n > 0) {
      const p = (n - 1) >> 1;
      if (less(heap[p], e)) break;
      heap[n] = heap[p];
      n = p;
    }
    heap[n] = e;
  };
  const pop = (): Ev => {
    const top = heap[0];
    const last = heap.pop()!;
    const size = heap.length;
    if (size > 0) {
      let n = 0;
      for (;;) {
        let c = 2 * n + 1;
        if (c >= size) break;
        if (c + 1 < size && less(heap[c + 1], heap[c])) c++;
        if (less(last, heap[c])) break;
        heap[n] = heap[c];
        n = c;
      }
      heap[n] = last;
    }
    return top;
  };
  const tick = (): void => {
    if (fired < EVENTS) push({ t: now + d[i++ & 0xffff], seq: seq++, fn: tick });
  };
  for (let j = 0; j < TIMERS; j++) push({ t: d[i++ & 0xffff], seq: seq++, fn: tick });
  const t0 = performance.now();
  while (heap.length > 0) {
    const e = pop();
    now = e.t;
    fired++;
    e.fn();
  }
  return fired / ((performance.now() - t0) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Heap used after a full collection, MB (needs node --expose-gc). */
function heapMB(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('bench: run node with --expose-gc (npm run bench does)');
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

/** bench/heavy-group.yaml: the heavy load read by a six-member group. */
function heavyGroup(dir: string, heavyWallSec: number) {
  const scenario = parseScenario(readFileSync(join(dir, 'heavy-group.yaml'), 'utf8'), 'bench/heavy-group.yaml');
  const t0 = performance.now();
  const s = simulate(scenario);
  const wallSec = (performance.now() - t0) / 1000;
  const g = s.groups[0];
  return {
    simulatedSec: s.simulatedMs / 1000,
    wallSec: Number(wallSec.toFixed(3)),
    vsHeavy: Number((wallSec / heavyWallSec).toFixed(3)),
    recordsConsumed: s.records.consumed,
    groupMembers: g?.members.length ?? 0,
    groupGeneration: g?.generation ?? 0,
    endToEndP99Ms: s.latencyMs.endToEnd.p99,
    traceHash: s.traceHash,
  };
}

/** bench/memory.yaml: heap at 10 and 60 simulated minutes. */
function memory(dir: string) {
  const scenario = parseScenario(readFileSync(join(dir, 'memory.yaml'), 'utf8'), 'bench/memory.yaml');
  const sim = createSimulation(scenario);
  const t0 = performance.now();
  sim.runUntil(10 * 60_000_000);
  const at10 = heapMB();
  sim.run();
  const at60 = heapMB();
  const s = sim.summary();
  return {
    simulatedSec: s.simulatedMs / 1000,
    wallSec: Number(((performance.now() - t0) / 1000).toFixed(3)),
    recordsAcked: s.records.acked,
    heapMBAt10Min: Number(at10.toFixed(1)),
    heapMBAt60Min: Number(at60.toFixed(1)),
    ratio: Number((at60 / at10).toFixed(3)),
  };
}

/** bench/explore-run.yaml with its faults redrawn from `seed`: a crash and restart, a partition and heal. */
function exploreScenario(raw: Record<string, unknown>, seed: number): Scenario {
  const rng = seedrandom.alea(`explore-${seed}`);
  const between = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo) * 10) / 10;
  const crashS = between(5, 35);
  const cutS = between(5, 45);
  const victim = 1 + Math.floor(rng() * 3);
  const a = 1 + Math.floor(rng() * 3);
  const b = 1 + ((a + Math.floor(rng() * 2)) % 3);
  const faults = [
    { at: `${crashS}s`, crash: `broker ${victim}`, as: 'victim' },
    { at: `${(crashS + between(5, 20)).toFixed(1)}s`, restart: 'victim' },
    { at: `${cutS}s`, partition: { between: [`broker ${a}`, `broker ${b}`] } },
    { at: `${(cutS + between(2, 12)).toFixed(1)}s`, heal: 'all' },
  ];
  return parseScenario(JSON.stringify({ ...raw, seed, faults }), `bench/explore-run.yaml (seed ${seed})`);
}

const EXPLORE_ROUNDS = 3;
const EXPLORE_RUNS_PER_ROUND = 12;

interface ExploreRound {
  runsPerMin: number;
  /** Runs per minute of the process's CPU time (its GC threads included): less hit by other work on the machine than the wall clock. */
  runsPerCpuMin: number;
  fullTraceRunsPerMin: number;
  bareLoopEventsPerSec: number;
  secPerRunMin: number;
  secPerRunMax: number;
}

/** Seconds per run of `scenarios`, each run once in summary mode and once building every event (`full`), alternately. */
function exploreRound(scenarios: Scenario[], totals: { traceEvents: number; kernelEvents: number; violations: number }): { summary: number[]; summaryCpu: number[]; full: number[] } {
  const summary: number[] = [];
  const summaryCpu: number[] = [];
  const full: number[] = [];
  for (const s of scenarios) {
    let t0 = performance.now();
    const c0 = process.cpuUsage();
    const out = simulate(s, { trace: 'summary' });
    const cpu = process.cpuUsage(c0);
    summary.push((performance.now() - t0) / 1000);
    summaryCpu.push((cpu.user + cpu.system) / 1e6);
    t0 = performance.now();
    const ref = simulate(s, { trace: 'full' });
    full.push((performance.now() - t0) / 1000);
    if (ref.traceHash !== out.traceHash || JSON.stringify(ref.violations) !== JSON.stringify(out.violations)) throw new Error(`explore: seed ${s.seed} differs between summary and full mode`);
    totals.traceEvents += out.events;
    totals.kernelEvents += out.kernelEvents;
    totals.violations += out.violations.length;
  }
  return { summary, summaryCpu, full };
}

const perMinute = (secs: number[]) => (60 * secs.length) / secs.reduce((x, y) => x + y, 0);

/**
 * bench/explore-run.yaml: runs per minute on one core, in rounds interleaved with the bare loop; each
 * run also once with every trace event built (`trace: 'full'`), the same trace hash and verdicts required.
 */
function explore(benchDir: string, d: Float64Array) {
  const raw = parseYaml(readFileSync(join(benchDir, 'explore-run.yaml'), 'utf8')) as Record<string, unknown>;
  // Warm up (the first runs compile the model), on seeds the rounds do not use.
  for (let seed = 1001; seed <= 1003; seed++) exploreRound([exploreScenario(raw, seed)], { traceEvents: 0, kernelEvents: 0, violations: 0 });
  const rounds: ExploreRound[] = [];
  const totals = { traceEvents: 0, kernelEvents: 0, violations: 0 };
  let seed = 1;
  for (let r = 0; r < EXPLORE_ROUNDS; r++) {
    const bare = bareLoop(d);
    const scenarios = Array.from({ length: EXPLORE_RUNS_PER_ROUND }, () => exploreScenario(raw, seed++));
    const { summary, summaryCpu, full } = exploreRound(scenarios, totals);
    rounds.push({
      runsPerMin: Math.round(perMinute(summary)),
      runsPerCpuMin: Math.round(perMinute(summaryCpu)),
      fullTraceRunsPerMin: Math.round(perMinute(full)),
      bareLoopEventsPerSec: Math.round(bare),
      secPerRunMin: Number(Math.min(...summary).toFixed(3)),
      secPerRunMax: Number(Math.max(...summary).toFixed(3)),
    });
  }
  const runs = EXPLORE_ROUNDS * EXPLORE_RUNS_PER_ROUND;
  const perMin = rounds.map((r) => r.runsPerMin);
  const fullPerMin = rounds.map((r) => r.fullTraceRunsPerMin);
  const cpuPerMin = rounds.map((r) => r.runsPerCpuMin);
  return {
    runs,
    seeds: `1-${runs}`,
    runsPerMinOneCore: median(perMin),
    runsPerMinRange: [Math.min(...perMin), Math.max(...perMin)],
    runsPerCpuMinRange: [Math.min(...cpuPerMin), Math.max(...cpuPerMin)],
    fullTraceRunsPerMinRange: [Math.min(...fullPerMin), Math.max(...fullPerMin)],
    rounds,
    meanTraceEventsPerRun: Math.round(totals.traceEvents / runs),
    meanKernelEventsPerRun: Math.round(totals.kernelEvents / runs),
    violations: totals.violations,
    targetOneCore: 500,
  };
}

/** `npm run bench -- search`, `-- explore` or `-- plan`: that block alone. */
async function oneBlock(benchDir: string, d: Float64Array): Promise<boolean> {
  const block = process.argv[2];
  if (block === 'search') console.log(JSON.stringify({ node: process.version, nodeFlags: process.execArgv, search: await searchBench(benchDir) }, null, 2));
  else if (block === 'explore') console.log(JSON.stringify({ node: process.version, nodeFlags: process.execArgv, explore: explore(benchDir, d) }, null, 2));
  else if (block === 'plan') console.log(JSON.stringify({ node: process.version, nodeFlags: process.execArgv, plan: await planBench(benchDir) }, null, 2));
  return block === 'search' || block === 'explore' || block === 'plan';
}

async function main(): Promise<void> {
  const d = delays();
  const here = dirname(fileURLToPath(import.meta.url));
  const benchDir = join(here, '..', '..', 'bench');
  if (await oneBlock(benchDir, d)) return;
  // The explore block first: a failure search runs in a process that has run nothing else. Run after the
  // other blocks, its runs took half as long again (0.42 s of CPU each, not 0.27; after the memory block
  // alone, 0.31). One cause: the memory block simulates an hour, past 2^31 µs, after which V8 keeps the
  // clock, and every time copied from it, as doubles for the rest of the process.
  const exp = explore(benchDir, d);
  const kernel: number[] = [];
  const bare: number[] = [];
  for (let r = 0; r < 5; r++) {
    bare.push(bareLoop(d));
    kernel.push(kernelLoop(d));
  }
  const file = join(benchDir, 'heavy.yaml');
  const scenario = parseScenario(readFileSync(file, 'utf8'), 'bench/heavy.yaml');
  // Three runs (the machines are noisy): the median one is reported, all three are listed.
  const runs: Array<{ wallSec: number; cpuSec: number; s: ReturnType<typeof simulate> }> = [];
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const s = simulate(scenario);
    const wallSec = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    runs.push({ wallSec, cpuSec: (cpu.user + cpu.system) / 1e6, s });
  }
  const sorted = [...runs].sort((a, b) => a.wallSec - b.wallSec);
  const { wallSec, cpuSec, s } = sorted[1];
  if (runs.some((r) => r.s.traceHash !== s.traceHash)) throw new Error('heavy: the three runs gave different trace hashes');
  const kernelEventsPerSec = Math.round(median(kernel));
  const bareLoopEventsPerSec = Math.round(median(bare));
  const group = heavyGroup(benchDir, wallSec);
  const mem = memory(benchDir);
  const search = await searchBench(benchDir);
  const plan = await planBench(benchDir);
  const out = {
    node: process.version,
    nodeFlags: process.execArgv,
    kernelEventsPerSec,
    bareLoopEventsPerSec,
    kernelVsBare: Number((kernelEventsPerSec / bareLoopEventsPerSec).toFixed(3)),
    heavy: {
      simulatedSec: s.simulatedMs / 1000,
      wallSec: Number(wallSec.toFixed(3)),
      cpuSec: Number(cpuSec.toFixed(3)),
      wallSecAllRuns: runs.map((r) => Number(r.wallSec.toFixed(3))),
      speedup: Number((s.simulatedMs / 1000 / wallSec).toFixed(2)),
      events: s.kernelEvents,
      traceEvents: s.events,
      recordsAcked: s.records.acked,
      traceHash: s.traceHash,
      produceP99Ms: s.latencyMs.produce.p99,
    },
    heavyGroup: group,
    memory: mem,
    explore: exp,
    search,
    plan,
    targets: {
      memoryWithinQuarter: mem.ratio < 1.25,
      kernelAtLeastHalfOfBare: kernelEventsPerSec >= 0.5 * bareLoopEventsPerSec,
      heavyTenTimesRealTime: s.simulatedMs / 1000 / wallSec >= 10,
      exploreFiveHundredRunsPerMinOneCore: exp.runsPerMinOneCore >= 500,
      searchThousandRunsPerMinTwoWorkers: search.runsPerMinTwoWorkers >= 1000,
    },
  };
  console.log(JSON.stringify(out, null, 2));
}

await main();
