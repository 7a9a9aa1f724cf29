import { describe, expect, it } from 'vitest';
import { formatDescribe, formatExpect, formatLogDirs, formatSkipped, formatTimeline, reproduceCommand, shellQuote, table } from '../../cli/format.js';
import { applyOverrides, blame, NO_OVERRIDES, OverrideError, overrideFlags, parseValue, type Overrides } from '../../cli/overrides.js';
import type { PartitionRow } from '../../sim/report/timeline.js';
import type { RunSummary } from '../../sim/report/summary.js';
import { offsetsText } from '../../sim/checks/skipped-records.js';

const row = (over: Partial<PartitionRow> = {}): PartitionRow => ({
  topic: 'orders',
  partition: 0,
  leader: 2,
  leaderEpoch: 3,
  replicas: [1, 2, 3],
  isr: [2, 3],
  elr: [],
  lastKnownElr: [],
  offsets: { 1: { leo: 10, hw: 8 }, 2: { leo: 12, hw: 12 }, 3: { leo: 12, hw: 11 } },
  ...over,
});

describe('format', () => {
  it('describe table: kafka-topics columns, Elr only when some partition has one, per-replica LEO/HW', () => {
    const plain = formatDescribe([row()]);
    expect(plain[1]).toMatch(/^ {2}Topic +Partition +Leader +Replicas +Isr +LeaderEpoch +LEO\/HW$/);
    expect(plain[2]).toMatch(/^ {2}orders +0 +2 +1,2,3 +2,3 +3 +1:10\/8 2:12\/12 3:12\/11$/);
    const elr = formatDescribe([row(), row({ partition: 1, leader: -1, isr: [], elr: [3] })]);
    expect(elr[1]).toMatch(/ Isr +Elr +LastKnownElr +LeaderEpoch /);
    expect(elr[3]).toMatch(/^ {2}orders +1 +none +1,2,3 +3 +3 /);
    // Kafka 4.x: ISR and ELR empty, the last known leader kept (KIP-966).
    const lastKnown = formatDescribe([row({ leader: -1, isr: [], elr: [], lastKnownElr: [2] })]);
    expect(lastKnown[1]).toContain(' LastKnownElr ');
    expect(lastKnown[2]).toMatch(/^ {2}orders +0 +none +1,2,3 +2 +3 /);
  });

  it('timeline lines: seconds with ms precision, then the text; long timelines are cut', () => {
    const items = [
      { atMs: 0, kind: 'broker' as const, text: 'broker 1 running' },
      { atMs: 12345, kind: 'fault' as const, text: 'crash broker 1' },
    ];
    expect(formatTimeline(items)).toEqual(['timeline', '   0.000 s  broker 1 running', '  12.345 s  crash broker 1']);
    expect(formatTimeline(items, 1).at(-1)).toContain('1 more');
  });

  it('failed expectations end with the reproduce command', () => {
    const lines = formatExpect(
      {
        passed: false,
        results: [
          { what: 'records.lostAcked', expected: '= 0', actual: 3, ok: false },
          { what: 'isrShrinks', expected: '≥ 1', actual: 1, ok: true },
        ],
      },
      'kafkasim run x.yaml --seed 4',
    );
    expect(lines[0]).toBe('expect: FAILED (1 of 2 not met)');
    expect(lines[1]).toMatch(/✗ +records\.lostAcked += 0 +\(actual 3\) +reproduce: kafkasim run x\.yaml --seed 4$/);
    expect(lines[2]).not.toContain('reproduce');
  });

  it('skipped records: a table per reader and partition with the offsets; a few ranges listed, more summed up', () => {
    expect(offsetsText([[120, 480]])).toBe('offsets 120..480');
    expect(
      offsetsText([
        [7, 7],
        [10, 19],
        [40, 59],
      ]),
    ).toBe('offsets 7, 10..19, 40..59');
    expect(
      offsetsText([
        [1, 2],
        [4, 5],
        [7, 8],
        [10, 900],
      ]),
    ).toBe('offsets 1..900 in 4 ranges');
    const skipped = [
      { reader: 'group g', partition: 't-0', records: 396, offsets: 'offsets 1296..1691', first: 1296, last: 1691, position: 1882 },
      { reader: 'c1', partition: 't-1', records: 5, offsets: 'offsets 3..7', first: 3, last: 7, position: 20 },
    ];
    const lines = formatSkipped({ skipped } as unknown as RunSummary);
    expect(lines[0]).toBe("records skipped (never received, below the reader's final position)");
    expect(lines[1]).toMatch(/^ {2}group g +t-0 +396 record\(s\) +offsets 1296\.\.1691 +below position 1882$/);
    expect(lines[2]).toMatch(/^ {2}c1 +t-1 +5 record\(s\) +offsets 3\.\.7 +below position 20$/);
    expect(formatSkipped({ skipped: [] } as unknown as RunSummary)).toEqual([]);
  });

  it('log dirs: a row per broker and directory; a long partition list cut to its first six and the count', () => {
    const tps = (n: number) => Array.from({ length: n }, (_, i) => `t-${i}`);
    const s = {
      logDirs: [
        { broker: 1, dir: '/data/1', partitions: tps(8), diskWrite: 0.5, diskRead: 0.004 },
        { broker: 1, dir: '/data/2', partitions: tps(9), diskWrite: 0.97, diskRead: 0 },
        { broker: 1, dir: '/data/3', partitions: [], diskWrite: 0, diskRead: 0 },
      ],
    } as unknown as RunSummary;
    const lines = formatLogDirs(s);
    expect(lines[1]).toMatch(/^ {2}broker +dir +partitions +disk-write +disk-read$/);
    expect(lines[2]).toMatch(/^ {7}1 {2}\/data\/1 {2}t-0 t-1 t-2 t-3 t-4 t-5 t-6 t-7 +50% +0\.4%$/);
    expect(lines[3]).toMatch(/^ {7}1 {2}\/data\/2 {2}t-0 t-1 t-2 t-3 t-4 t-5 … \(9 in all\) +97% +0\.0%$/);
    expect(lines[4]).toMatch(/^ {7}1 {2}\/data\/3 {2}- +0\.0% +0\.0%$/);
    expect(formatLogDirs({} as RunSummary)).toEqual([]);
  });

  it('quotes shell words only when needed', () => {
    expect(shellQuote('acks=1')).toBe('acks=1');
    expect(shellQuote('*:min.insync.replicas=1')).toBe("'*:min.insync.replicas=1'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(reproduceCommand('my file.yaml', 7, ['--config', 'a=b'])).toBe("kafkasim run 'my file.yaml' --seed 7 --config a=b");
  });

  it('aligns table columns', () => {
    expect(
      table(
        [
          ['a', '1'],
          ['bbb', '22'],
        ],
        [false, true],
      ),
    ).toEqual(['a     1', 'bbb  22']);
  });
});

describe('overrides', () => {
  const base = () => ({
    name: 'x',
    duration: '10s',
    cluster: { brokers: 3 },
    topics: [{ name: 'orders', partitions: 1, 'replication.factor': 3 }, { name: 'audit' }],
    producers: [
      { name: 'p1', topic: 'orders', rate: '10/s', config: { acks: 'all' } },
      { name: 'p2', topic: 'audit', rate: '1/s' },
    ],
    consumers: [{ name: 'c1', topic: 'orders' }],
  });
  const o = (over: Partial<Overrides>): Overrides => ({ ...NO_OVERRIDES, ...over });

  it('parses command-line values', () => {
    expect(parseValue('6')).toBe(6);
    expect(parseValue('0.5')).toBe(0.5);
    expect(parseValue('4.0')).toBe('4.0');
    expect(parseValue('007')).toBe('007');
    expect(parseValue('true')).toBe(true);
    expect(parseValue('30s')).toBe('30s');
    expect(parseValue('[1, 2]')).toEqual([1, 2]);
  });

  it('applies Kafka-like flags to every broker, topic, producer, consumer', () => {
    const raw = base();
    applyOverrides(
      raw,
      o({
        config: ['min.insync.replicas=2'],
        topicConfig: ['*:unclean.leader.election.enable=true', 'orders:min.insync.replicas=1'],
        producerProperty: ['acks=1'],
        consumerProperty: ['fetch.max.wait.ms=100'],
      }),
    );
    expect(raw.cluster).toEqual({ brokers: 3, config: { 'min.insync.replicas': 2 } });
    expect(raw.topics[0]).toMatchObject({ config: { 'unclean.leader.election.enable': true, 'min.insync.replicas': 1 } });
    expect(raw.topics[1]).toMatchObject({ config: { 'unclean.leader.election.enable': true } });
    expect(raw.producers.map((p) => (p as { config?: unknown }).config)).toEqual([{ acks: 1 }, { acks: 1 }]);
    expect(raw.consumers[0]).toMatchObject({ config: { 'fetch.max.wait.ms': 100 } });
  });

  it('--set follows dotted paths, list indexes and names, and dotted Kafka keys', () => {
    const raw = base();
    const applied = applyOverrides(
      raw,
      o({ set: ['duration=30s', 'topics.0.partitions=6', 'topics[1].replication.factor=2', 'producers.p1.config.linger.ms=0', 'cluster.config.min.insync.replicas=2'] }),
    );
    expect(raw.duration).toBe('30s');
    expect(raw.topics[0]!.partitions).toBe(6);
    expect(raw.topics[1]).toMatchObject({ 'replication.factor': 2 });
    expect(raw.producers[0]!.config).toEqual({ acks: 'all', 'linger.ms': 0 });
    expect(raw.cluster).toEqual({ brokers: 3, config: { 'min.insync.replicas': 2 } });
    expect(blame('producers[0].config.linger.ms', applied)).toBe('--set producers.p1.config.linger.ms=0');
    expect(blame('topics[1].replication.factor', applied)).toBe('--set topics[1].replication.factor=2');
    expect(blame('faults[0]', applied)).toBeUndefined();
  });

  it('rejects malformed flags with a message', () => {
    expect(() => applyOverrides(base(), o({ config: ['acks'] }))).toThrow(OverrideError);
    expect(() => applyOverrides(base(), o({ topicConfig: ['ordes:min.insync.replicas=1'] }))).toThrow(/did you mean "orders"/);
    expect(() => applyOverrides(base(), o({ set: ['producers.p3.rate=1'] }))).toThrow(/no entry named "p3"/);
    expect(() => applyOverrides(base(), o({ set: ['duration.x=1'] }))).toThrow(/not a mapping/);
    expect(() => applyOverrides({ name: 'x' }, o({ consumerProperty: ['a=b'] }))).toThrow(/no consumers/);
  });

  it('lists the flags for a reproduce command', () => {
    expect(overrideFlags(o({ config: ['a=1'], set: ['duration=1s'] }))).toEqual(['--set', 'duration=1s', '--config', 'a=1']);
  });
});
