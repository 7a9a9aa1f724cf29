/**
 * failDisk and replaceDisk (KIP-112, KIP-858): a failed log directory takes its replicas offline on the
 * broker, which tells the controller at once; leadership and ISR move; a broker without a working
 * directory halts and cannot start until a disk is replaced; a replaced disk is empty and its replicas
 * copy everything back. Read from the traces of scenarios/disk-failure.yaml and small variants.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { createSimulation, simulate } from '../../../sim/run/simulation.js';
import { ArraySink, type TraceEvent } from '../../../sim/trace/index.js';

type Ev<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

function run(text: string, name = 'x.yaml'): { events: TraceEvent[]; of: <T extends TraceEvent['type']>(type: T) => Ev<T>[] } {
  const sink = new ArraySink();
  createSimulation(parseScenario(text, name), { sinks: [sink] }).run();
  const events = sink.events;
  return { events, of: <T extends TraceEvent['type']>(type: T) => events.filter((e): e is Ev<T> => e.type === type) };
}

const SHIPPED = readFileSync('scenarios/disk-failure.yaml', 'utf8');
const S = 1_000_000;

describe("scenarios/disk-failure.yaml: one of broker 2's two disks fails at 15 s", () => {
  const { of } = run(SHIPPED, 'disk-failure.yaml');

  it("loses broker 2's copies of the partitions on that disk, and only those", () => {
    const lost = of('truncate').filter((e) => e.reason === 'diskFailure');
    expect(lost.map((e) => [e.broker, e.tp, e.to])).toEqual([
      [2, 'orders-1', 0],
      [2, 'orders-3', 0],
      [2, 'orders-5', 0],
    ]);
    expect(lost.every((e) => e.t === 15 * S && e.removed > 0)).toBe(true);
  });

  it('moves the leaders off the failed disk and takes it out of the ISRs within a few ms, without fencing the broker', () => {
    const elections = of('election').filter((e) => e.t >= 15 * S && e.t < 16 * S);
    expect(elections.map((e) => [e.tp, e.prevLeader, e.leader, e.reason, e.clean])).toEqual([
      ['orders-1', 2, 3, 'offlineDir', true],
      ['orders-3', 2, 3, 'offlineDir', true],
    ]);
    const shrinks = of('isr').filter((e) => e.reason === 'offlineDir');
    expect(shrinks.map((e) => e.tp)).toEqual(['orders-1', 'orders-3', 'orders-5']);
    for (const e of [...elections, ...shrinks]) expect(e.t - 15 * S).toBeLessThan(5_000);
    for (const e of shrinks) expect(e.prev.includes(2) && !e.isr.includes(2)).toBe(true);
    expect(of('fence').filter((e) => e.broker === 2 && e.fenced && e.t < 50 * S)).toEqual([]);
    // The heartbeat that tells the controller goes at once, not at the next interval.
    const hb = of('msg').find((e) => e.from === 'b2' && e.kind === 'BrokerHeartbeat' && e.t >= 15 * S)!;
    expect(hb.t).toBe(15 * S);
  });

  it('answers the producer KAFKA_STORAGE_ERROR for a partition it led from that disk; the retry goes to the new leader', () => {
    const storage = of('retry').filter((e) => e.error === 'KAFKA_STORAGE_ERROR');
    expect(storage.length).toBeGreaterThan(0);
    for (const r of storage) expect(['orders-1', 'orders-3']).toContain(r.tp);
    const acked = of('ack').filter((a) => storage.some((r) => r.tp === a.tp && r.seq === a.seq));
    expect(acked.length).toBe(storage.length);
    // The metadata refresh goes to the least loaded broker (NetworkClient.leastLoadedNode): not broker 1,
    // whose reading of the producer's connection is held by a produce waiting on orders-5's high watermark.
    const ask = of('msg').find((e) => e.from === 'p:p1' && e.kind === 'Metadata' && e.t >= storage[0].t)!;
    expect(ask.to).not.toBe('b1');
    const answer = of('msg').find((e) => e.to === 'p:p1' && e.kind === 'MetadataResponse' && e.t >= ask.t)!;
    expect(answer.recvUs - ask.t).toBeLessThan(5_000);
  });

  it("holds broker 1's high watermark of orders-5 for the dead replica until the producer's request times out", () => {
    const hw = of('hw').filter((e) => e.broker === 1 && e.tp === 'orders-5');
    const stalled = hw.filter((e) => e.t > 15.01 * S && e.t < 44.9 * S);
    expect(stalled).toEqual([]);
    expect(hw.some((e) => e.t > 45 * S && e.t < 46 * S)).toBe(true);
    const timedOut = of('retry').filter((e) => e.error === 'REQUEST_TIMED_OUT');
    expect(timedOut.length).toBeGreaterThan(0);
    for (const r of timedOut) expect(Math.abs(r.t - 45 * S)).toBeLessThan(0.1 * S);
  });

  it('replaceDisk shuts broker 2 down, starts it with the new disk, and it copies the three partitions back and rejoins every ISR', () => {
    const fault = of('fault').find((f) => f.verb === 'replaceDisk')!;
    expect(fault.pending).toMatch(/shutting down/);
    const start = of('broker').find((e) => e.broker === 2 && e.state === 'running' && e.t > 50 * S)!;
    for (const tp of ['orders-1', 'orders-3', 'orders-5']) {
      const copies = of('append').filter((e) => e.broker === 2 && e.tp === tp && e.t > start.t);
      expect(copies[0].offset).toBe(0);
    }
    const back = of('isr').filter((e) => e.t > start.t && e.isr.includes(2) && !e.prev.includes(2));
    expect(back.map((e) => e.tp).sort()).toEqual(['orders-0', 'orders-1', 'orders-2', 'orders-3', 'orders-4', 'orders-5']);
  });
});

const BASE = `
name: df
duration: 40s
cluster:
  brokers: 3
  config: { min.insync.replicas: 2 }
topics:
  - { name: t, partitions: 3, replication.factor: 3 }
producers:
  - { name: p1, topic: t, rate: 500/s, keys: { uniform: 100 }, config: { acks: all } }
faults:
`;

describe('failDisk without dir: every disk of the broker', () => {
  const { of } = run(`${BASE}
  - { at: 5s, failDisk: broker 2 }
  - { at: 10s, restart: broker 2 }
  - { at: 15s, replaceDisk: broker 2 }
`);

  it('halts the broker (no log directory left) and loses all its logs', () => {
    const crash = of('broker').find((e) => e.broker === 2 && e.state === 'crashed')!;
    expect(crash.t).toBe(5 * S);
    expect(
      of('truncate')
        .filter((e) => e.reason === 'diskFailure')
        .map((e) => e.tp),
    ).toEqual(['t-0', 't-1', 't-2']);
  });

  it('refuses a start until the disk is replaced, then starts empty and copies everything back', () => {
    const restart = of('fault').find((f) => f.verb === 'restart')!;
    expect(restart.rejected).toMatch(/no working log directory/);
    const start = of('broker').find((e) => e.broker === 2 && e.state === 'running' && e.t > 0)!;
    expect(start.t).toBe(15 * S);
    for (const tp of ['t-0', 't-1', 't-2']) expect(of('append').find((e) => e.broker === 2 && e.tp === tp && e.t > start.t)!.offset).toBe(0);
    expect(of('isr').filter((e) => e.t > start.t && e.isr.includes(2) && !e.prev.includes(2)).length).toBe(3);
  });
});

// The tests below fail /b: /a, the first of log.dirs, holds the metadata log, and its failure halts the broker (below).
describe('a broker restarted with a disk still failed', () => {
  const text = `${BASE.replace('min.insync.replicas: 2 }', 'min.insync.replicas: 2, log.dirs: "/a,/b" }').replace('partitions: 3', 'partitions: 4')}
  - { at: 5s, failDisk: broker 2, dir: /b }
  - { at: 8s, crash: broker 2 }
  - { at: 12s, restart: broker 2 }
  - { at: 25s, replaceDisk: broker 2, dir: /b }
`;
  const { of } = run(text);
  const lost = of('truncate').filter((e) => e.reason === 'diskFailure');
  const offline = lost.map((e) => e.tp);

  it('keeps the replicas of that disk offline: no log, no fetch, no leadership, until the disk is replaced', () => {
    expect(offline.length).toBe(2);
    const start = of('broker').find((e) => e.broker === 2 && e.state === 'running' && e.t > 12 * S - 1)!;
    expect(start.t).toBe(12 * S);
    const between = (e: { t: number }) => e.t > start.t && e.t < 25 * S;
    for (const tp of offline) {
      expect(of('append').filter((e) => e.broker === 2 && e.tp === tp && between(e))).toEqual([]);
      expect(of('election').filter((e) => e.tp === tp && e.leader === 2 && between(e))).toEqual([]);
    }
    // Its other disk's replicas catch up and rejoin the ISR.
    const others = of('isr')
      .filter((e) => between(e) && e.isr.includes(2) && !e.prev.includes(2))
      .map((e) => e.tp);
    expect(others.length).toBe(2);
    expect(others.some((tp) => offline.includes(tp))).toBe(false);
  });

  it('after replaceDisk copies them back from offset 0 and they rejoin the ISR', () => {
    for (const tp of offline) {
      expect(of('append').find((e) => e.broker === 2 && e.tp === tp && e.t > 25 * S)!.offset).toBe(0);
      expect(of('isr').some((e) => e.tp === tp && e.t > 25 * S && e.isr.includes(2) && !e.prev.includes(2))).toBe(true);
    }
  });
});

describe('a disk failing under a paused broker', () => {
  it('is noticed when the broker resumes: the data is gone at once, the controller hears of it then', () => {
    const jbod = BASE.replace('min.insync.replicas: 2 }', 'min.insync.replicas: 2, log.dirs: "/a,/b" }');
    const { of } = run(`${jbod}  - { at: 5s, pause: broker 2 }\n  - { at: 6s, failDisk: broker 2, dir: /b }\n  - { at: 8s, resume: broker 2 }\n`);
    const lost = of('truncate').filter((e) => e.reason === 'diskFailure');
    expect(lost.length).toBeGreaterThan(0);
    for (const e of lost) expect(e.t).toBe(6 * S);
    const told = of('isr').filter((e) => e.reason === 'offlineDir');
    expect(told.length).toBe(lost.length);
    for (const e of told) expect(e.t).toBeGreaterThan(8 * S);
  });
});

describe('KIP-966: a clean shutdown counts only if every log directory kept its clean shutdown file', () => {
  const jbod = BASE.replace('min.insync.replicas: 2 }', 'min.insync.replicas: 2, log.dirs: "/a,/b" }').replace('duration: 40s', 'duration: 15s');
  const previousEpoch = (faults: string): number => {
    const sim = createSimulation(parseScenario(`${jbod}${faults}`, 'x.yaml'));
    sim.run();
    return sim.brokers.get(2)!.previousBrokerEpoch;
  };

  it('a controlled shutdown and a start: the broker registers with the epoch it shut down with', () => {
    expect(previousEpoch('  - { at: 5s, shutdown: broker 2 }\n  - { at: 8s, restart: broker 2 }\n')).toBeGreaterThan(0);
  });

  it('a replaced disk has no such file: the broker registers as after an unclean shutdown', () => {
    expect(previousEpoch('  - { at: 5s, failDisk: broker 2, dir: /b }\n  - { at: 8s, replaceDisk: broker 2, dir: /b }\n')).toBe(-1);
  });
});

describe('the metadata log directory (metadata.log.dir, by default the first of log.dirs)', () => {
  const jbod = BASE.replace('min.insync.replicas: 2 }', 'min.insync.replicas: 2, log.dirs: "/a,/b" }');

  it('failing halts the broker, with its other disk working, and a restart is refused until that disk is replaced', () => {
    const { of } = run(`${jbod}  - { at: 5s, failDisk: broker 2, dir: /a }\n  - { at: 8s, restart: broker 2 }\n  - { at: 12s, replaceDisk: broker 2, dir: /a }\n`);
    const halt = of('broker').find((e) => e.broker === 2 && e.state === 'crashed')!;
    expect([halt.t, halt.mode, halt.reason]).toEqual([5 * S, 'process', 'metadataLogDirFailed']);
    // Only the partitions of /a are gone: those of /b survive the halt, as after a crash.
    const lost = of('truncate').filter((e) => e.reason === 'diskFailure');
    expect(lost.length).toBe(2);
    const restart = of('fault').find((f) => f.verb === 'restart')!;
    expect(restart.rejected).toBe('b2 has lost its metadata log directory /a (Kafka cannot start without it: replaceDisk first)');
    const start = of('broker').find((e) => e.broker === 2 && e.state === 'running' && e.t > 0)!;
    expect(start.t).toBe(12 * S);
    expect(of('isr').filter((e) => e.t > start.t && e.isr.includes(2) && !e.prev.includes(2)).length).toBe(3);
  });

  it('set apart from the data directories (metadata.log.dir), a failed first directory takes only its partitions offline', () => {
    const apart = jbod.replace('log.dirs: "/a,/b" }', 'log.dirs: "/a,/b", metadata.log.dir: /meta }');
    const { of } = run(`${apart}  - { at: 5s, failDisk: broker 2, dir: /a }\n`);
    expect(of('broker').filter((e) => e.broker === 2 && e.t > 0)).toEqual([]);
    expect(of('isr').filter((e) => e.reason === 'offlineDir').length).toBe(2);
  });

  it('set to the second directory, the second halts the broker and the first does not', () => {
    const second = jbod.replace('log.dirs: "/a,/b" }', 'log.dirs: "/a,/b", metadata.log.dir: /b }');
    expect(
      run(`${second}  - { at: 5s, failDisk: broker 2, dir: /b }\n`)
        .of('broker')
        .find((e) => e.broker === 2 && e.t > 0)?.reason,
    ).toBe('metadataLogDirFailed');
    expect(
      run(`${second}  - { at: 5s, failDisk: broker 2, dir: /a }\n`)
        .of('broker')
        .filter((e) => e.broker === 2 && e.t > 0),
    ).toEqual([]);
  });

  it('is KRaft’s: a ZooKeeper-era broker (the 2.8 profile) has no metadata log, and keeps running when its first directory fails', () => {
    const zk = jbod.replace('brokers: 3', 'brokers: 3\n  kafkaVersion: "2.8"');
    const { of } = run(`${zk}  - { at: 4s, partition: { between: [broker 2, controller] } }\n  - { at: 5s, failDisk: broker 2, dir: /a }\n`);
    // No halt, and no log.dir.failure.timeout.ms (3.8+, KRaft) shutdown while the controller cannot be told.
    expect(of('broker').filter((e) => e.broker === 2 && e.t > 0)).toEqual([]);
    expect(of('truncate').filter((e) => e.reason === 'diskFailure').length).toBe(2);
  });

  it('every directory failing says so (allLogDirsFailed), and a broker of one directory halts that way', () => {
    expect(
      run(`${BASE}  - { at: 5s, failDisk: broker 2 }\n`)
        .of('broker')
        .find((e) => e.broker === 2 && e.t > 0)?.reason,
    ).toBe('allLogDirsFailed');
  });

  it("the run's timeline says why the broker halted", () => {
    const s = simulate(parseScenario(`${jbod}  - { at: 5s, failDisk: broker 2, dir: /a }\n`, 'x.yaml'));
    const lines = s.timeline.map((i) => i.text);
    expect(lines).toContain('broker 2 halted: its metadata log directory failed');
    // The fault's line comes first, then what it did at the same instant (truncations, the halt).
    const fault = lines.indexOf('failDisk broker 2 /a → b2');
    expect(fault).toBeGreaterThan(2);
    expect(lines.slice(fault + 1, fault + 4)).toEqual([
      expect.stringMatching(/^t-\d: broker 2 truncated/),
      expect.stringMatching(/^t-\d: broker 2 truncated/),
      'broker 2 halted: its metadata log directory failed',
    ]);
    expect(s.brokers.find((b) => b.id === 2)?.state).toBe('halted (its metadata log directory failed)');
  });
});

describe('log.dir.failure.timeout.ms (3.8+): a broker that cannot tell the controller of a failed disk', () => {
  const jbod = BASE.replace('min.insync.replicas: 2 }', 'min.insync.replicas: 2, log.dirs: "/a,/b" }');
  const cut = '  - { at: 5s, partition: { between: [broker 2, controller] } }\n  - { at: 6s, failDisk: broker 2, dir: /b }\n';

  it('shuts itself down once the timeout passes with no heartbeat answered; the shutdown completes when the controller hears it', () => {
    const short = jbod.replace('log.dirs: "/a,/b"', 'log.dirs: "/a,/b", log.dir.failure.timeout.ms: 5000').replace('duration: 40s', 'duration: 30s');
    const { of } = run(`${short}${cut}  - { at: 12s, heal: all }\n`);
    const b2 = of('broker').filter((e) => e.broker === 2 && e.t > 0);
    expect(b2.map((e) => [e.state, e.reason])).toEqual([
      ['shuttingDown', 'logDirFailureTimeout'],
      ['stopped', undefined],
    ]);
    expect(b2[0].t).toBe(11 * S);
    // Once the link is up the held heartbeat (wantShutDown) reaches the controller, which lets it finish.
    expect(b2[1].t).toBeGreaterThan(12 * S);
  });

  it('keeps running when a heartbeat telling it gets through before the timeout', () => {
    // The cut heals at 12 s; the held heartbeat goes at the link's next retransmission (before 26 s).
    const { of } = run(`${jbod.replace('log.dirs: "/a,/b"', 'log.dirs: "/a,/b", log.dir.failure.timeout.ms: 20000')}${cut}  - { at: 12s, heal: all }\n`);
    expect(of('broker').filter((e) => e.broker === 2 && e.t > 0)).toEqual([]);
    expect(of('isr').filter((e) => e.reason === 'offlineDir').length).toBeGreaterThan(0);
  });

  it('by default after 30 s (log.dir.failure.timeout.ms 30000)', () => {
    const { of } = run(`${jbod}${cut}`);
    expect(of('broker').find((e) => e.broker === 2 && e.t > 0)).toMatchObject({ t: 36 * S, state: 'shuttingDown', reason: 'logDirFailureTimeout' });
  });
});

describe('a controlled shutdown the controller never answers', () => {
  it('stops after the shutdown timeout of 5 minutes (KafkaBroker.shutdown), cleanly, saying why', () => {
    const quiet = BASE.replace('duration: 40s', 'duration: 320s').replace('rate: 500/s', 'rate: 10/s');
    const { of } = run(`${quiet}  - { at: 5s, partition: { between: [broker 2, controller] } }\n  - { at: 10s, shutdown: broker 2 }\n`);
    const b2 = of('broker').filter((e) => e.broker === 2 && e.t > 0);
    expect(b2.map((e) => [e.t, e.state, e.reason])).toEqual([
      [10 * S, 'shuttingDown', undefined],
      [310 * S, 'stopped', 'controlledShutdownTimedOut'],
    ]);
    // Stopped cleanly all the same: every log flushed to its end.
    const flushed = of('flush').filter((e) => e.broker === 2 && e.t === 310 * S);
    expect(flushed.length).toBeGreaterThan(0);
  });
});

describe("the run's report", () => {
  it('marks a disk still failed at the end, with no partition on it', () => {
    const jbod = BASE.replace('min.insync.replicas: 2 }', 'min.insync.replicas: 2, log.dirs: "/a,/b" }').replace('duration: 40s', 'duration: 10s');
    const s = simulate(parseScenario(`${jbod}  - { at: 5s, failDisk: broker 2, dir: /b }\n`, 'x.yaml'));
    const failed = s.logDirs!.filter((d) => d.failed);
    expect(failed.map((d) => [d.broker, d.dir, d.partitions])).toEqual([[2, '/b', []]]);
  });
});

describe('the liveness checks and a disk still failed', () => {
  it('skip, saying so, a run that ends with a failed disk, however long the quiet time after it', () => {
    const jbod = BASE.replace('min.insync.replicas: 2 }', 'min.insync.replicas: 2, log.dirs: "/a,/b" }').replace('duration: 40s', 'duration: 120s');
    const s = simulate(parseScenario(`${jbod}  - { at: 5s, failDisk: broker 2, dir: /b }\n`, 'x.yaml'));
    expect(s.liveness.checked).toBe(false);
    expect(s.liveness.skipped).toBe('the run ends with faults not healed: failed disk on b2');
    const replaced = simulate(parseScenario(`${jbod}  - { at: 5s, failDisk: broker 2, dir: /b }\n  - { at: 10s, replaceDisk: broker 2, dir: /b }\n`, 'x.yaml'));
    expect(replaced.liveness.checked).toBe(true);
    expect(replaced.violations).toEqual([]);
  });
});

describe('the liveness phase heals a failed disk', () => {
  it('replaces it and restarts the broker, so the liveness checks run and pass', () => {
    const s = simulate(parseScenario(`${BASE.replace('duration: 40s', 'duration: 20s\nliveness: 80s')}  - { at: 5s, failDisk: broker 1 }\n`, 'x.yaml'));
    expect(s.liveness.checked).toBe(true);
    expect(s.violations).toEqual([]);
    expect(s.records.lostAcked).toBe(0);
  });
});

describe('bad disk faults', () => {
  it('names a fault on a client, an unknown directory and a dir on a broker with one directory', () => {
    expect(() => parseScenario(`${BASE}  - { at: 1s, failDisk: producer p1 }\n`, 'x.yaml')).toThrow('faults[0].failDisk: failDisk acts on a broker');
    const jbod = BASE.replace('min.insync.replicas: 2 }', 'min.insync.replicas: 2, log.dirs: "/a,/b" }');
    expect(() => parseScenario(`${jbod}  - { at: 1s, failDisk: broker 1, dir: /c }\n`, 'x.yaml')).toThrow('expected one of log.dirs: /a, /b');
    expect(() => parseScenario(`${BASE}  - { at: 1s, replaceDisk: broker 1, dir: /a }\n`, 'x.yaml')).toThrow('the brokers have one log directory');
  });

  it('rejects, with why, a replaceDisk of a working disk and a failDisk of a failed one', () => {
    const { of } = run(`${BASE}  - { at: 1s, replaceDisk: broker 1 }\n  - { at: 2s, failDisk: broker 3 }\n  - { at: 3s, failDisk: broker 3 }\n`);
    const [replace, , again] = of('fault');
    expect(replace.rejected).toBe('b1 has no failed disk');
    expect(again.rejected).toBe('b3 has no disk left to fail');
  });
});
