/** `kafkasim run` refuses a scenario whose estimated memory is over node's heap limit, before running it. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDescribe } from '../../cli/format.js';
import type { PartitionRow } from '../../sim/index.js';

const BIN = resolve('bin/kafkasim.js');

describe('the resource check before a run', () => {
  it('exits 2 with the estimate, the limit and how to raise it, without running', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkasim-budget-'));
    const file = join(dir, 'big.yaml');
    writeFileSync(file, 'name: big\nduration: 1s\ncluster: { brokers: 3 }\ntopics: [{ name: t, partitions: 200000, replication.factor: 3 }]\n');
    const r = spawnSync(process.execPath, ['--max-old-space-size=256', BIN, 'run', file], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^kafkasim: this scenario needs about 1\.\d GB of memory \(600,000 replicas, 0 records .*\); this process \(node's heap limit\) has \d+ MB\. Give node more with NODE_OPTIONS=--max-old-space-size=\d+, or make the scenario smaller\.\n$/,
    );
  });
});

describe('the final state table of a large cluster', () => {
  const row = (partition: number, leader: number): PartitionRow => ({
    topic: 't',
    partition,
    leader,
    leaderEpoch: 0,
    replicas: [1, 2, 3],
    isr: leader < 0 ? [] : [1, 2, 3],
    elr: [],
    lastKnownElr: [],
    offsets: {},
  });

  it('lists 100 partitions, the leaderless first, and counts the rest', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => row(i, i === 4321 ? -1 : 1));
    const lines = formatDescribe(rows);
    expect(lines).toHaveLength(1 + 1 + 100 + 1);
    expect(lines[2]).toMatch(/^ +t +4321 +none /);
    expect(lines.at(-1)).toBe('  … and 4,900 more partitions, not listed (leaderless and under-replicated ones come first; --json has them all)');
    expect(formatDescribe(rows.slice(0, 100))).toHaveLength(102);
  });
});
