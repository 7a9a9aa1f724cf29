/**
 * Consumer groups from hand-written events (no simulation): a coordinator that creates the group, then moves,
 * a member that loses its partitions, a commit refused with CommitFailedException, and the narrative of each.
 */
import { describe, expect, it } from 'vitest';
import type { HeaderEvent, TraceEvent } from '../../sim/trace/index.js';
import { emptyFrame, replay } from '../../viz/derive/frames.js';
import { Model } from '../../viz/derive/model.js';

const topic = (name: string, partitions: number) => ({
  name,
  partitions,
  replicationFactor: 2,
  replicas: Array.from({ length: partitions }, (_, p) => (p % 2 === 0 ? [1, 2] : [2, 1])),
  minInsyncReplicas: 1,
  uncleanLeaderElectionEnable: false,
});

const HEADER: HeaderEvent = {
  type: 'header',
  t: 0,
  schema: 4,
  scenario: 'hand-made',
  seed: 1,
  kafkaVersion: '4.1',
  controller: 'kraft',
  sessionTimeoutMs: 9000,
  truncation: 'divergingEpoch',
  durationUs: 10_000_000,
  brokers: [1, 2],
  topics: [topic('t', 2), topic('__consumer_offsets', 4)],
  producers: [],
  consumers: [
    { name: 'c1', topic: 't', group: 'g' },
    { name: 'c2', topic: 't', group: 'g' },
  ],
};

const EVENTS: TraceEvent[] = [
  HEADER,
  { type: 'coordinator', t: 5, group: 'g', broker: 1, tp: '__consumer_offsets-2', loaded: true, offsets: 0 },
  { type: 'group', t: 10, group: 'g', coordinator: 1, state: 'Stable', generation: 1, members: ['c1', 'c2'], leader: 'c1', protocol: 'range', reason: 'generation 1 is stable' },
  { type: 'assignment', t: 20, consumer: 'c1', group: 'g', memberId: 'c1-1', generation: 1, partitions: ['t-0'], added: ['t-0'], revoked: [], lost: [] },
  { type: 'assignment', t: 21, consumer: 'c2', group: 'g', memberId: 'c2-1', generation: 1, partitions: ['t-1'], added: ['t-1'], revoked: [], lost: [] },
  { type: 'coordinator', t: 30, group: 'g', broker: 1, tp: '__consumer_offsets-2', loaded: false, offsets: 0 },
  { type: 'coordinator', t: 31, group: 'g', broker: 2, tp: '__consumer_offsets-2', loaded: true, offsets: 2 },
  { type: 'assignment', t: 40, consumer: 'c2', group: 'g', memberId: 'c2-1', generation: 1, partitions: [], added: [], revoked: [], lost: ['t-1'] },
  { type: 'commit', t: 41, consumer: 'c2', group: 'g', offsets: [{ tp: 't-1', offset: 7 }], kind: 'sync', error: 'CommitFailedException' },
  { type: 'commit', t: 42, consumer: 'c1', group: 'g', offsets: [{ tp: 't-0', offset: 5 }], kind: 'auto', error: 'NONE' },
];

describe('group events by hand', () => {
  const model = new Model(3);
  model.push(EVENTS);
  const last = model.index.frameAt(EVENTS.length - 1);

  it('the coordinator moves with its coordinator events; a lost member owns nothing; a refused commit is counted, not stored', () => {
    // The partition comes from the coordinator events, not from the group events.
    expect(model.index.frameAt(1).groups.g).toMatchObject({ coordinator: 1, coordinatorTp: '__consumer_offsets-2' });
    expect(model.index.frameAt(2).groups.g).toMatchObject({ coordinator: 1, coordinatorTp: '__consumer_offsets-2' });
    expect(model.index.frameAt(5).groups.g).toMatchObject({ coordinator: -1, coordinatorTp: '' });
    expect(last.groups.g).toMatchObject({ coordinator: 2, coordinatorTp: '__consumer_offsets-2', failedCommits: 1, committed: { 't-0': 5 } });
    expect(last.groups.g.lastFailure).toEqual({ consumer: 'c2', error: 'CommitFailedException', t: 41 });
    expect(last.members.c2).toMatchObject({ partitions: [], lost: ['t-1'], pausedSinceUs: 40 });
    for (let i = 0; i < EVENTS.length; i++) expect(model.index.frameAt(i)).toEqual(replay(emptyFrame(), EVENTS, 0, i));
  });

  it('the narrative tells each in words', () => {
    const texts = model.items.map((x) => x.text);
    expect(texts).toEqual([
      "broker 1 coordinates group g: it leads __consumer_offsets-2, the group's __consumer_offsets partition, and creates the group there (nothing committed yet)",
      'group g: generation 1 is stable (range assignor, leader c1): c1 ← t-0, c2 ← t-1',
      'broker 1 no longer coordinates group g (it stopped leading __consumer_offsets-2); its members must find the new coordinator',
      "broker 2 is now the coordinator of group g: it leads __consumer_offsets-2 and loaded the group's 2 committed offset(s) from its log",
      'c2 lost t-1: it is no longer a member of group g, so it gives it up without committing (the next owner reads again from the last committed offset)',
      "c2's offset commit (sync) for group g failed: CommitFailedException: the group rebalanced and gave its partitions to other members, so its offsets are refused; the records it processed since its last commit will be read again (more may follow)",
    ]);
  });
});
