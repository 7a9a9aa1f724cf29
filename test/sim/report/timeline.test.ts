import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, simulate } from '../../../sim/index.js';
import { electionWords } from '../../../sim/report/timeline.js';

describe('election lines of the timeline', () => {
  it('say clean or UNCLEAN with the reason, never the same word twice', () => {
    expect(electionWords(true, 'leaderFenced')).toBe('clean (leaderFenced)');
    expect(electionWords(false, 'leaderFenced')).toBe('UNCLEAN (leaderFenced)');
    expect(electionWords(false, 'unclean')).toBe('UNCLEAN');
  });

  it('unclean-election-loss reports its unclean election once, as UNCLEAN', () => {
    const path = 'scenarios/unclean-election-loss.yaml';
    const summary = simulate(parseScenario(readFileSync(path, 'utf8'), path));
    const lines = summary.timeline.filter((i) => i.kind === 'election').map((i) => i.text);
    expect(
      lines.some((l) => /, UNCLEAN, ISR/.test(l)),
      lines.join('\n'),
    ).toBe(true);
    expect(lines.filter((l) => /UNCLEAN \(unclean\)/i.test(l))).toEqual([]);
  });
});

describe('the words of a Kafka generation', () => {
  const run = (path: string) => simulate(parseScenario(readFileSync(path, 'utf8'), path)).timeline.map((i) => i.text);

  it('a ZooKeeper-era run speaks of the ZooKeeper session, not of fencing; its truncations are not by epoch', () => {
    const lines = run('scenarios/catalog/jepsen-2013-isr-shrink-0.10.yaml');
    const all = lines.join('\n');
    expect(all).toMatch(/broker \d's ZooKeeper session expired \(no ping within zookeeper\.session\.timeout\.ms\): the controller declared it dead/);
    expect(all).toMatch(/truncated \d+ record\(s\) to offset \d+ \(to the high watermark\)/);
    expect(all).toMatch(/truncated \d+ record\(s\) to offset \d+ \(to the leader's log end offset\)/);
    expect(all).not.toMatch(/broker\.session\.timeout\.ms|fenced|divergingEpoch|diverging leader epoch/);
  });

  it('a KRaft run speaks of fencing after broker.session.timeout.ms', () => {
    const all = run('scenarios/killed-leader.yaml').join('\n');
    expect(all).toMatch(/controller fenced broker \d \(no heartbeat within broker\.session\.timeout\.ms\)/);
    expect(all).not.toMatch(/ZooKeeper/);
  });
});
