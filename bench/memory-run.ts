/**
 * `npm run bench:memory -- RATE [MINUTES]`: the load of bench/memory.yaml (3 brokers, RF 3, acks=all,
 * records of 1 KB, linger.ms 5, a broker crash every 10 minutes restarted 30 s later) at RATE records/s
 * for MINUTES simulated minutes (default 60), without a consumer or a trace. Prints the heap after a full
 * garbage collection and the resident set at 1, 10, 30 and 60 simulated minutes, then the run's records.
 * Too long for the routine bench at high rates: an hour at 100,000 records/s simulates 360 million records.
 */
import { createSimulation, parseScenario } from '../sim/index.js';

function scenarioText(rate: number, minutes: number): string {
  const faults: string[] = [];
  for (let m = 10; m < minutes; m += 10) {
    const broker = ((m / 10 - 1) % 3) + 1;
    faults.push(`  - { at: ${m * 60}s, crash: broker ${broker} }`, `  - { at: ${m * 60 + 30}s, restart: broker ${broker} }`);
  }
  return `name: memory-run
duration: ${minutes}m
cluster: { brokers: 3, config: { min.insync.replicas: 2 } }
topics: [{ name: load, partitions: 6, replication.factor: 3 }]
producers: [{ name: p1, topic: load, rate: ${rate}/s, recordSize: 1KB, config: { acks: all, linger.ms: 5 } }]
${faults.length > 0 ? `faults:\n${faults.join('\n')}` : ''}
`;
}

function main(): void {
  const rate = Number(process.argv[2] ?? 10000);
  const minutes = Number(process.argv[3] ?? 60);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('bench:memory: run node with --expose-gc');
  const sim = createSimulation(parseScenario(scenarioText(rate, minutes), 'memory-run.yaml'));
  const t0 = performance.now();
  for (const m of [1, 10, 30, 60].filter((x) => x <= minutes)) {
    sim.runUntil(m * 60_000_000);
    gc();
    gc();
    const mu = process.memoryUsage();
    const wall = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`${m} min: heap ${(mu.heapUsed / 1e6).toFixed(0)} MB, rss ${(mu.rss / 1e6).toFixed(0)} MB, wall ${wall} s`);
  }
  sim.run();
  console.log(JSON.stringify(sim.summary().records));
}

main();
