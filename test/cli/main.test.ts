/**
 * The kafkasim command line, end to end: spawns `node bin/kafkasim.js` (built by `npm run build:cli`,
 * which `npm test` runs first) and checks output, exit codes and trace files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEvents, type HeaderEvent, type TraceEvent } from '../../sim/trace/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'kafkasim.js');
const KILLED_LEADER = 'scenarios/killed-leader.yaml';

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Longest a single CLI run may take (a model bug that loops forever should fail the test, not hang it). */
const RUN_TIMEOUT_MS = 100_000;

function kafkasim(...args: string[]): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: RUN_TIMEOUT_MS,
    env: { ...process.env, KAFKASIM_DEBUG: '' },
  });
  if (r.signal) throw new Error(`kafkasim ${args.join(' ')}: killed by ${r.signal}${r.signal === 'SIGTERM' ? ` after ${RUN_TIMEOUT_MS / 1000} s (hung?)` : ''}; stderr: ${r.stderr}`);
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(r: Result): Record<string, any> {
  expect(r.stderr).toBe('');
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1); // exactly one JSON object
  return JSON.parse(lines[0]!) as Record<string, any>;
}

/** Bad input: exit 2, one line on stderr starting with "kafkasim: ", no stack trace. */
function expectBadInput(r: Result, ...fragments: string[]): string {
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^kafkasim: /);
  expect(r.stderr).not.toContain('    at ');
  for (const f of fragments) expect(lines[0]).toContain(f);
  return lines[0]!;
}

function readTrace(path: string): TraceEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TraceEvent);
}

let dir: string;
const tmp = (name: string) => join(dir, name);
function write(name: string, text: string): string {
  writeFileSync(tmp(name), text);
  return tmp(name);
}

/** A small, fast scenario (a few seconds of simulated time). */
const SMALL = `
name: small
seed: 5
duration: 3s
cluster:
  brokers: 3
topics:
  - name: orders
    partitions: 2
    replication.factor: 3
producers:
  - name: p1
    topic: orders
    rate: 2000/s
    keys: { uniform: 100 }
consumers:
  - name: c1
    topic: orders
expect:
  records: { lostAcked: 0, sent: { min: 1000 } }
  noViolations: all
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kafkasim-cli-'));
  write('small.yaml', SMALL);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('kafkasim run', () => {
  it('is deterministic: the same seed gives the same trace hash, another seed another one', () => {
    const a = json(kafkasim('run', KILLED_LEADER, '--json', '--seed', '7'));
    const b = json(kafkasim('run', KILLED_LEADER, '--json', '--seed', '7'));
    const c = json(kafkasim('run', KILLED_LEADER, '--json', '--seed', '8'));
    expect(a.traceHash).toMatch(/^[0-9a-f]{16}$/);
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.events).toBe(a.events);
    expect(c.traceHash).not.toBe(a.traceHash);
    // The fields the spec names.
    expect(a).toMatchObject({ scenario: 'killed-leader', seed: 7, simulatedMs: 70_000 });
    for (const k of ['sent', 'acked', 'failed', 'lostAcked', 'duplicated', 'consumed']) expect(typeof a.records[k]).toBe('number');
    for (const k of ['produce', 'endToEnd']) expect(Object.keys(a.latencyMs[k])).toEqual(expect.arrayContaining(['p50', 'p99', 'p999']));
    expect(Array.isArray(a.elections)).toBe(true);
    expect(a.elections[0]).toEqual(
      expect.objectContaining({ atMs: expect.any(Number), partition: expect.any(String), leader: expect.any(Number), epoch: expect.any(Number), clean: expect.any(Boolean) }),
    );
    expect(Array.isArray(a.violations)).toBe(true);
    expect(typeof a.wallMs).toBe('number');
    expect(a.expect).toMatchObject({ passed: expect.any(Boolean), results: expect.any(Array) });
  });

  it('prints a human report: summary, timeline, describe table, expectations', () => {
    const r = kafkasim('run', KILLED_LEADER);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('trace hash');
    expect(r.stdout).toMatch(/^timeline$/m);
    expect(r.stdout).toMatch(/^ +10\.000 s {2}.*crash/m); // the fault at 10 s in the timeline
    expect(r.stdout).toMatch(/Topic +Partition +Leader +Replicas +Isr +LeaderEpoch +LEO\/HW/);
    expect(r.stdout).toMatch(/^ +orders +0 /m);
    expect(r.stdout).toMatch(/^latency \(ms\)$/m);
    expect(r.stdout).toMatch(/^expect: /m);
    expect([0, 1]).toContain(r.status);
    if (r.status === 1) expect(r.stdout).toContain(`reproduce: kafkasim run ${KILLED_LEADER} --seed 1`);
  });

  it('a failed expectation exits 1 and every failure line carries a reproduce command with the overrides', () => {
    const file = write('fails.yaml', SMALL.replace('sent: { min: 1000 }', 'sent: { min: 1000000 }'));
    const r = kafkasim('run', file, '--producer-property', 'linger.ms=1');
    expect(r.status, r.stderr).toBe(1);
    const failures = r.stdout.split('\n').filter((l) => l.includes('✗'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('records.sent');
    expect(failures[0]).toMatch(new RegExp(`reproduce: kafkasim run ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --seed 5 --producer-property linger.ms=1$`));
    expect(r.stdout).toMatch(/^expect: FAILED/m);
  });

  it('--no-expect runs a what-if whose outcome breaks the expect block: the report, no verdict, exit 0', () => {
    const file = write('fails-no-expect.yaml', SMALL.replace('sent: { min: 1000 }', 'sent: { min: 1000000 }'));
    const r = kafkasim('run', file, '--producer-property', 'linger.ms=1', '--no-expect');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^expect: skipped \(--no-expect\)/m);
    expect(r.stdout).not.toContain('✗');
    expect(r.stdout).toMatch(/trace hash/);
    const j = json(kafkasim('run', file, '--no-expect', '--json'));
    expect(j.expect).toBeUndefined();
    expect(j.expectSkipped).toBe(true);
    expect(j.reproduce).toContain('--no-expect');
    // Without the flag the same run still fails its expectations.
    expect(kafkasim('run', file, '--json').status).toBe(1);
  });

  it('a passing expect block exits 0', () => {
    const r = kafkasim('run', tmp('small.yaml'));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^expect: passed/m);
  });

  it('--producer-property sets a config on every producer', () => {
    const plain = tmp('plain.ndjson');
    const acks1 = tmp('acks1.ndjson');
    const a = json(kafkasim('run', tmp('small.yaml'), '--json', '--trace', plain));
    const b = json(kafkasim('run', tmp('small.yaml'), '--json', '--trace', acks1, '--producer-property', 'acks=1'));
    const header = (p: string) => readTrace(p)[0] as HeaderEvent;
    expect(header(plain).producers[0]!.acks).toBe(-1);
    expect(header(acks1).producers[0]!.acks).toBe(1);
    expect(b.traceHash).not.toBe(a.traceHash);
    expect(b.reproduce).toContain('--producer-property acks=1');
  });

  it("names a producer's connection as the bottleneck when only it is saturated, and says why", () => {
    // acks=all at 100,000 records/s: each connection carries one replication round trip at a time.
    const r = kafkasim('run', 'scenarios/plan/small.yaml', '--set', 'producers.0.rate=100000/s');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^bottleneck: p:p1 connection 100% \(the time a broker held one of its requests: a broker reads one request per connection at a time, and no resource is saturated\)$/m);
    // At its own 2,000 records/s it is not saturated: the busiest resource is named, as busy time.
    expect(kafkasim('run', 'scenarios/plan/small.yaml').stdout).toMatch(/^bottleneck: b\d [a-z-]+ [\d.]+% \(busy time over the run\)$/m);
  });

  it('--config sets a broker config; --topic-config overrides it for one topic', () => {
    const t1 = tmp('misr3.ndjson');
    const t2 = tmp('misr-topic.ndjson');
    expect(kafkasim('run', tmp('small.yaml'), '--json', '--trace', t1, '--config', 'min.insync.replicas=3').status).toBe(0);
    expect((readTrace(t1)[0] as HeaderEvent).topics[0]!.minInsyncReplicas).toBe(3);
    expect(kafkasim('run', tmp('small.yaml'), '--json', '--trace', t2, '--config', 'min.insync.replicas=3', '--topic-config', 'orders:min.insync.replicas=1').status).toBe(0);
    expect((readTrace(t2)[0] as HeaderEvent).topics[0]!.minInsyncReplicas).toBe(1);
  });

  it('--set overrides any field by path', () => {
    const a = json(kafkasim('run', tmp('small.yaml'), '--json', '--set', 'duration=2s', '--set', 'topics.0.partitions=4'));
    expect(a.simulatedMs).toBe(2000);
    expect(a.partitions).toHaveLength(4);
  });

  it('bad overrides are bad input, naming the flag and suggesting the config', () => {
    expectBadInput(kafkasim('run', tmp('small.yaml'), '--producer-property', 'ackz=1'), 'did you mean "acks"?', '--producer-property ackz=1');
    expectBadInput(kafkasim('run', tmp('small.yaml'), '--config', 'min.insync.replica=2'), 'did you mean "min.insync.replicas"?');
    expectBadInput(kafkasim('run', tmp('small.yaml'), '--topic-config', 'ordres:min.insync.replicas=1'), 'unknown topic "ordres"', 'did you mean "orders"?');
    expectBadInput(kafkasim('run', tmp('small.yaml'), '--config', 'min.insync.replicas'), 'KEY=VALUE');
    expectBadInput(kafkasim('run', tmp('small.yaml'), '--seed', 'abc'), '--seed');
    expectBadInput(kafkasim('run', tmp('small.yaml'), '--sede', '3'), "unknown option '--sede'");
  });

  it('--trace writes NDJSON whose hash (kafkasim hash, hashEvents) equals the printed hash', () => {
    const trace = tmp('trace.ndjson');
    const r = kafkasim('run', tmp('small.yaml'), '--trace', trace);
    expect(r.status, r.stderr).toBe(0);
    const printed = /trace hash +([0-9a-f]{16})/.exec(r.stdout)?.[1];
    expect(printed).toBeDefined();
    const events = readTrace(trace);
    expect(events[0]!.type).toBe('header');
    expect(events[events.length - 1]!.type).toBe('end');
    expect(readFileSync(trace).length).toBeGreaterThan(1 << 20); // more than one write chunk
    expect(hashEvents(events)).toBe(printed);
    const h = kafkasim('hash', trace);
    expect(h.status, h.stderr).toBe(0);
    expect(h.stdout.trim()).toBe(printed);
    const events2 = new RegExp(`events +${events.length} trace events`);
    expect(r.stdout).toMatch(events2);
  });

  it('--trace - streams the trace to stdout and the report to stderr', () => {
    const r = kafkasim('run', tmp('small.yaml'), '--trace', '-');
    expect(r.status, r.stderr).toBe(0);
    const printed = /trace hash +([0-9a-f]{16})/.exec(r.stderr)?.[1];
    const events = r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as TraceEvent);
    expect(events[0]!.type).toBe('header');
    expect(hashEvents(events)).toBe(printed);
  });

  it('--until stops the run early and does not enforce expectations', () => {
    const file = write('until.yaml', SMALL.replace('sent: { min: 1000 }', 'sent: { min: 1000000 }'));
    const r = kafkasim('run', file, '--until', '1s', '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = json(r);
    expect(out.simulatedMs).toBeLessThanOrEqual(1000);
    expect(out.expect).toMatchObject({ passed: false, enforced: false });
  });
});

describe('kafkasim run with consumer groups', () => {
  it('prints each group as kafka-consumer-groups --describe, at --groups-at times and at the end, and the records received again with their offsets', () => {
    const r = kafkasim('run', 'scenarios/consumer-crash-rebalance.yaml', '--groups-at', '14s');
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/Consumer group 'billing' at 14 s: Stable, generation 1, assignor range, coordinator broker \d, 3 member\(s\)/);
    expect(out).toMatch(/Consumer group 'billing' at 40 s: Stable, generation 2, assignor range, coordinator broker \d, 2 member\(s\)/);
    expect(out).toMatch(/GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID/);
    // At 14 s app-2 owns two partitions; at the end nobody is app-2.
    const [at14, atEnd] = out.split("Consumer group 'billing' at ").slice(1);
    expect(at14!.match(/ app-2\n/g)?.length).toBe(2);
    expect(atEnd).not.toMatch(/ app-2\n/);
    expect(out).toMatch(/rebalances: 2/);
    expect(out).toMatch(/records received again \(at-least-once[^)]*\)\n {2}group billing +orders-\d +\d+ record\(s\) +offsets \d+\.\.\d+ +again by app-\d/);
    expect(out).toMatch(/group billing: preparing to rebalance: member app-2 \(app-2-[0-9a-f]+\) was removed: no heartbeat for session\.timeout\.ms/);
  });

  it('--json has the groups, their lag over time, the snapshots asked for and the redelivered records', () => {
    const s = json(kafkasim('run', 'scenarios/consumer-crash-rebalance.yaml', '--groups-at', '14s,30s', '--json'));
    expect(s.groupSnapshots.map((d: { atMs: number }) => d.atMs)).toEqual([14000, 30000]);
    expect(s.groups[0].rows).toHaveLength(6);
    expect(s.groups[0].lag.length).toBe(6);
    expect(s.records.redelivered).toBe(s.redelivered.reduce((n: number, d: { records: number }) => n + d.records, 0));
  });

  it('prints the records a group skipped (committed by worker threads, never processed) with their offsets; --json has them', () => {
    const q14 = 'scenarios/questions/q14-auto-commit-worker-threads.yaml';
    const r = kafkasim('run', q14);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/records skipped \(never received, below the reader's final position\)\n {2}group payments +payments-\d +\d+ record\(s\) +offsets \d+\.\.\d+ +below position \d+\n/);
    const s = json(kafkasim('run', q14, '--json'));
    expect(s.records.skipped).toBeGreaterThan(0);
    expect(s.records.skipped).toBe(s.skipped.reduce((n: number, d: { records: number }) => n + d.records, 0));
    for (const d of s.skipped) {
      expect(d.reader).toBe('group payments');
      expect(d.offsets).toBe(`offsets ${d.first}..${d.last}`);
      expect(d.last).toBeLessThan(d.position);
      expect(r.stdout).toContain(`${d.records} record(s)  ${d.offsets}  below position ${d.position}`);
    }
  });

  it('a bad --groups-at is bad input', () => {
    const r = kafkasim('run', 'scenarios/consumer-crash-rebalance.yaml', '--groups-at', 'soon');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--groups-at/);
  });
});

describe('bad scenarios and files', () => {
  it('an unknown key exits 2 with one line naming the file and suggesting the key', () => {
    const file = write('unknown-key.yaml', SMALL.replace('duration: 3s', 'duratoin: 3s'));
    expectBadInput(kafkasim('run', file), file, 'duratoin', 'did you mean "duration"?');
  });

  it('a bad duration exits 2 with one line', () => {
    const file = write('bad-duration.yaml', SMALL.replace('duration: 3s', 'duration: 3 parsecs'));
    expectBadInput(kafkasim('run', file), file, 'duration', 'a duration such as');
  });

  it('an unknown config exits 2 with a suggestion', () => {
    const file = write('bad-config.yaml', SMALL.replace('keys: { uniform: 100 }', 'keys: { uniform: 100 }\n    config: { ackz: all }'));
    expectBadInput(kafkasim('run', file), file, 'producers[0].config.ackz', 'did you mean "acks"?');
  });

  it('invalid YAML exits 2 with a position', () => {
    const file = write('bad-yaml.yaml', 'name: x\n  duration: [3s\n');
    expectBadInput(kafkasim('run', file), file);
  });

  it('refuses to write the trace over the scenario it runs, by any name; the scenario stays intact', () => {
    const file = write('own-input.yaml', SMALL);
    expectBadInput(kafkasim('run', file, '--trace', file), `refusing to write the trace to ${file}`, "it is the run's input");
    expectBadInput(kafkasim('run', file, '--trace', join(dir, '.', 'own-input.yaml')), 'refusing to write the trace');
    const link = tmp('own-input-link.yaml');
    symlinkSync(file, link);
    expectBadInput(kafkasim('run', file, '--trace', link), 'refusing to write the trace');
    expect(readFileSync(file, 'utf8')).toBe(SMALL);
  });

  it.skipIf(!existsSync('/dev/full'))('a trace that cannot be written (a full device) exits 2 with the path and the reason', () => {
    expectBadInput(kafkasim('run', tmp('small.yaml'), '--trace', '/dev/full'), 'cannot write the trace to /dev/full: no space left on device');
  });

  it('a nonexistent file exits 2 with a clear message', () => {
    const missing = tmp('does-not-exist.yaml');
    expect(existsSync(missing)).toBe(false);
    expectBadInput(kafkasim('run', missing), `cannot read ${missing}: no such file or directory`);
    expectBadInput(kafkasim('hash', missing), 'no such file or directory');
  });
});

describe('kafkasim validate, schema, hash, list', () => {
  it('validate reports ok, or every problem and exit 2', () => {
    const ok = kafkasim('validate', KILLED_LEADER, tmp('small.yaml'));
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`ok  ${KILLED_LEADER}`);
    const file = write('two-problems.yaml', SMALL.replace('duration: 3s', 'duration: 3 parsecs').replace('rate: 2000/s', 'rate: fast'));
    const bad = kafkasim('validate', tmp('small.yaml'), file);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toContain('ok  ');
    expect(bad.stderr).toContain('duration');
    expect(bad.stderr).toContain('rate');
    expect(bad.stderr).not.toContain('    at ');
  });

  it('schema prints the JSON Schema', () => {
    const r = kafkasim('schema');
    expect(r.status).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'duration', 'cluster', 'faults', 'expect']));
  });

  it('hash reads a long line in time linear in its length, and refuses one longer than 64 Mi characters', () => {
    const header = readFileSync(tmp('trace.ndjson'), 'utf8').split('\n')[0]!;
    const long = tmp('long-line.ndjson');
    writeFileSync(long, `${header}\n{"type":"end","t":1e9,"pad":"${'x'.repeat(20_000_000)}"}\n`);
    const ok = kafkasim('hash', long);
    expect(ok.status, ok.stderr).toBe(0);
    writeFileSync(long, `${header}\n{"type":"end","t":1e9,"pad":"${'x'.repeat(70_000_000)}"}\n`);
    expectBadInput(kafkasim('hash', long), 'line 2: longer than 64 Mi characters');
  });

  it('hash rejects a file that is not a trace', () => {
    expectBadInput(kafkasim('hash', tmp('small.yaml')), `${tmp('small.yaml')}: line 2: not JSON: name: small`);
  });

  it('hash rejects the lines the page rejects, with the same message naming the line', async () => {
    const { parseTrace } = await import('../../viz/io/trace-file.js');
    const header =
      '{"type":"header","t":0,"schema":4,"scenario":"x","seed":1,"kafkaVersion":"4.1","controller":"kraft","sessionTimeoutMs":9000,"truncation":"divergingEpoch","durationUs":10,"brokers":[1],"topics":[],"producers":[],"consumers":[]}';
    const bad: Array<[string, string, string]> = [
      ['null-field', `${header}\n{"type":"hw","t":1,"broker":1,"tp":null,"hw":5}\n`, 'line 2: "tp" of a hw event is null (expected a string; an optional field is left out, never null)'],
      ['missing-field', `${header}\n{"type":"hw","t":1,"broker":1,"tp":"t-0"}\n`, 'line 2: a hw event without "hw" (expected a number)'],
      ['wrong-kind', `${header}\n\n{"type":"hw","t":1,"broker":"1","tp":"t-0","hw":5}\n`, 'line 3: "broker" of a hw event is "1" (expected a number)'],
      ['unknown-type', `${header}\n{"type":"nope","t":1}\n`, 'line 2: not a trace event (type "nope")'],
      ['no-type', `${header}\n[1,2]\n`, 'line 2: not a trace event (type missing)'],
      ['schema', header.replace('"schema":4', '"schema":99'), 'trace schema 99, kafkasim reads schema 4'],
      ['no-header', '{"type":"end","t":1}\n', 'line 1: the first event must be the header, got end'],
      ['backwards', `${header}\n{"type":"end","t":5}\n{"type":"end","t":4}\n`, 'line 3: time goes backwards'],
      ['empty', '\n\n', 'empty trace'],
    ];
    for (const [name, text, message] of bad) {
      const file = write(`${name}.ndjson`, text);
      const want = `${file}: ${message}`;
      expect(() => parseTrace(text, file), name).toThrow(want);
      expect(expectBadInput(kafkasim('hash', file)), name).toBe(`kafkasim: ${want}`);
    }
  });

  it('list shows the scenarios with their names and titles', () => {
    const r = kafkasim('list');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/killed-leader\.yaml +killed-leader +A leader is killed: an in-sync follower takes over/);
  });

  it('no arguments prints usage and exits 2; --help exits 0', () => {
    const none = kafkasim();
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('Usage: kafkasim');
    const help = kafkasim('run', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--producer-property');
  });
});
