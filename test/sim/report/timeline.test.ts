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
