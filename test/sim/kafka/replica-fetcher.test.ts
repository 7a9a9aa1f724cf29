/**
 * The follower's fetcher against Kafka's AbstractFetcherThread: the partitions of one metadata update are
 * fetched together (addPartitions before the thread builds its next request), an error delays only its
 * partitions (delayPartitions, replica.fetch.backoff.ms), a failed request sleeps a backoff and then delays
 * every partition another (processFetchRequest's catch), and a fencing either waits for new metadata
 * (markPartitionFailed) or retries later (onPartitionFenced).
 */
import { describe, expect, it } from 'vitest';
import type { BrokerContext } from '../../../sim/kafka/broker/context.js';
import type { HostedPartitions, Partition } from '../../../sim/kafka/broker/partition.js';
import { ReplicaFetcherManager } from '../../../sim/kafka/broker/replica-fetcher.js';
import type * as P from '../../../sim/kafka/protocol.js';
import type { Envelope } from '../../../sim/resources/network.js';

const BACKOFF_MS = 1000;

interface Sent {
  to: string;
  kind: string;
  payload: P.FetchRequest;
}

/** A follower (broker 1) with just what its fetchers use: a clock, timers, a network that records what is sent. */
function follower() {
  const sent: Sent[] = [];
  const timers: Array<{ at: number; fn: () => void }> = [];
  const kernel = { now: 0 };
  const broker = {
    id: 1,
    node: 'b1',
    brokerEpoch: 1,
    state: 'running',
    kernel,
    cfg: {
      replicaFetchBackoffMs: BACKOFF_MS,
      replicaFetchWaitMaxMs: 500,
      replicaFetchMinBytes: 1,
      replicaFetchResponseMaxBytes: 10 << 20,
      replicaFetchMaxBytes: 1 << 20,
      replicaSocketTimeoutMs: 30_000,
      truncation: 'divergingEpoch',
    },
    net: {
      send: (_from: string, to: string, kind: string, _bytes: number, payload: P.FetchRequest) => sent.push({ to, kind, payload }),
      close: () => {},
    },
    requests: { cpu: { run: () => {} } },
    timer: (delayUs: number, fn: () => void) => timers.push({ at: kernel.now + delayUs, fn }),
    timerAt: (at: number, fn: () => void) => timers.push({ at, fn }),
  };
  const parts = new Map<string, Partition>();
  const hosted = { generation: 0, getPartition: (tp: string) => parts.get(tp) };
  const m = new ReplicaFetcherManager(broker as unknown as BrokerContext, hosted as unknown as HostedPartitions);
  /** A metadata update: this broker follows `tps` from `leader` at `leaderEpoch`, and they join its fetcher (not yet started). */
  const follow = (tps: string[], leader: number, leaderEpoch: number) => {
    for (const tp of tps) {
      const lp = {
        tp,
        role: 'follower',
        leaderEpoch,
        truncating: false,
        state: { leader },
        log: { leo: 0, hw: 0, latestEpoch: leaderEpoch },
        setHw: () => {},
        appendLocal: () => {},
        truncate: () => {},
      };
      parts.set(tp, lp as unknown as Partition);
      m.addToFetcher(leader, tp);
    }
    hosted.generation++;
  };
  /** Runs the timers due by `us` (in time order) after moving the clock there. */
  const advanceTo = (us: number) => {
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (next === undefined || next.at > us) break;
      timers.shift();
      kernel.now = next.at;
      next.fn();
    }
    kernel.now = us;
  };
  /** The leader's answer to the last fetch: each partition with `errors[tp]` or NONE. */
  const answer = (errors: Record<string, P.FetchPartitionResponse['error']> = {}) => {
    const req = sent[sent.length - 1]!;
    const partitions = req.payload.partitions.map((p) => ({ tp: p.tp, error: errors[p.tp] ?? 'NONE', highWatermark: 0, logEndOffset: 0, entries: [] }));
    m.onFetchResponse({ from: req.to, payload: { correlationId: req.payload.correlationId, partitions }, bytes: 100 } as unknown as Envelope<P.FetchResponse>);
  };
  const lastFetch = () => sent[sent.length - 1]!.payload.partitions.map((p) => p.tp);
  return { m, sent, follow, advanceTo, answer, lastFetch, kernel, parts };
}

/** A follower of `tps` on broker 2 (epoch 0) whose first fetch failed at time 0: broker 2 disconnected. */
function disconnected(tps: string[]) {
  const f = follower();
  f.follow(tps, 2, 0);
  f.m.startFetchers();
  f.m.onDisconnect(2);
  return f;
}

describe('replica fetcher (AbstractFetcherThread)', () => {
  it('0.11-1.x: a failed OffsetsForLeaderEpoch delays only the partitions it asked about; the others are fetched at once', () => {
    const f = follower();
    f.follow(['t-0', 't-1'], 2, 0);
    (f.parts.get('t-0') as unknown as { truncating: boolean }).truncating = true;
    f.m.startFetchers();
    expect(f.sent.map((x) => x.kind)).toEqual(['OffsetsForLeaderEpoch']);
    expect(f.lastFetch()).toEqual(['t-0']);
    // fetchEpochsFromLeader's catch: an error for t-0 alone (maybeTruncate → handlePartitionsWithErrors).
    f.kernel.now = 10_000;
    f.m.onDisconnect(2);
    expect(f.sent.map((x) => x.kind)).toEqual(['OffsetsForLeaderEpoch', 'Fetch']);
    expect(f.lastFetch()).toEqual(['t-1']);
    // After replica.fetch.backoff.ms t-0, still truncating, asks again.
    f.kernel.now = 10_000 + BACKOFF_MS * 1000;
    f.answer();
    expect(f.sent.map((x) => x.kind)).toEqual(['OffsetsForLeaderEpoch', 'Fetch', 'OffsetsForLeaderEpoch']);
    expect(f.lastFetch()).toEqual(['t-0']);
  });

  it("names every partition of a metadata update in its first fetch, and sends nothing before the update's end", () => {
    const f = follower();
    f.follow(['t-0', 't-3', 't-4'], 2, 0);
    expect(f.sent).toHaveLength(0);
    f.m.startFetchers();
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0]!.to).toBe('b2');
    expect(f.lastFetch()).toEqual(['t-0', 't-3', 't-4']);
  });

  it('delays only the partitions in error, for replica.fetch.backoff.ms', () => {
    const f = follower();
    f.follow(['t-0', 't-1', 't-2'], 2, 0);
    f.m.startFetchers();
    f.kernel.now = 10_000;
    f.answer({ 't-1': 'NOT_LEADER_OR_FOLLOWER' });
    expect(f.lastFetch()).toEqual(['t-0', 't-2']);
    f.kernel.now = 10_000 + BACKOFF_MS * 1000 - 1;
    f.answer();
    expect(f.lastFetch()).toEqual(['t-0', 't-2']);
    f.kernel.now = 10_000 + BACKOFF_MS * 1000;
    f.answer();
    expect(f.lastFetch()).toEqual(['t-0', 't-1', 't-2']);
  });

  it('sleeps replica.fetch.backoff.ms when every partition is delayed, and a metadata update wakes it', () => {
    const f = follower();
    f.follow(['t-0'], 2, 0);
    f.m.startFetchers();
    f.answer({ 't-0': 'UNKNOWN_LEADER_EPOCH' });
    expect(f.sent).toHaveLength(1);
    f.advanceTo(BACKOFF_MS * 1000);
    expect(f.sent).toHaveLength(2);
    expect(f.lastFetch()).toEqual(['t-0']);
    // Delayed again; a partition added meanwhile is fetched at once, without the delayed one.
    f.answer({ 't-0': 'UNKNOWN_LEADER_EPOCH' });
    f.kernel.now += 5_000;
    f.follow(['t-1'], 2, 0);
    f.m.startFetchers();
    expect(f.lastFetch()).toEqual(['t-1']);
  });

  it('a metadata update wakes only the fetchers it added partitions to', () => {
    const f = follower();
    f.follow(['t-0'], 2, 0);
    f.m.startFetchers();
    f.answer({ 't-0': 'NOT_LEADER_OR_FOLLOWER' });
    expect(f.sent).toHaveLength(1);
    // Half a backoff later an update adds a partition led by broker 3: broker 2's fetcher sleeps on.
    f.advanceTo((BACKOFF_MS * 1000) / 2);
    f.follow(['t-1'], 3, 0);
    f.m.startFetchers();
    expect(f.sent.map((s) => s.to)).toEqual(['b2', 'b3']);
    // It wakes when its backoff ends, not a whole backoff after the update.
    f.advanceTo(BACKOFF_MS * 1000);
    expect(f.sent.map((s) => s.to)).toEqual(['b2', 'b3', 'b2']);
  });

  it('a failed fetch request (the leader disconnects) costs two backoffs: a sleep, then the partitions are delayed', () => {
    const f = follower();
    f.follow(['t-0', 't-1'], 2, 0);
    f.m.startFetchers();
    const t0 = 10_000;
    f.advanceTo(t0);
    f.m.onDisconnect(2);
    expect(f.sent).toHaveLength(1);
    // processFetchRequest's catch sleeps one backoff; then every partition is delayed another from there.
    f.advanceTo(t0 + BACKOFF_MS * 1000);
    expect(f.sent).toHaveLength(1);
    f.advanceTo(t0 + 2 * BACKOFF_MS * 1000 - 1);
    expect(f.sent).toHaveLength(1);
    f.advanceTo(t0 + 2 * BACKOFF_MS * 1000);
    expect(f.sent).toHaveLength(2);
    expect(f.lastFetch()).toEqual(['t-0', 't-1']);
  });

  it('a fetch that times out (replica.socket.timeout.ms) costs two backoffs too', () => {
    const f = follower();
    f.follow(['t-0'], 2, 0);
    f.m.startFetchers();
    const timeout = 30_000 * 1000;
    f.advanceTo(timeout + 2 * BACKOFF_MS * 1000 - 1);
    expect(f.sent).toHaveLength(1);
    f.advanceTo(timeout + 2 * BACKOFF_MS * 1000);
    expect(f.sent).toHaveLength(2);
    expect(f.lastFetch()).toEqual(['t-0']);
  });

  it('a partition whose delay ran out while the failed fetch was in flight is delayed again (it was not delayed any more)', () => {
    const f = follower();
    f.follow(['t-0', 't-1'], 2, 0);
    f.m.startFetchers();
    // t-1 is delayed until one backoff; the fetch of t-0 sent meanwhile fails after t-1's delay ran out.
    f.answer({ 't-1': 'NOT_LEADER_OR_FOLLOWER' });
    expect(f.lastFetch()).toEqual(['t-0']);
    const t0 = 1.5 * BACKOFF_MS * 1000;
    f.advanceTo(t0);
    f.m.onDisconnect(2);
    f.advanceTo(t0 + 2 * BACKOFF_MS * 1000 - 1);
    expect(f.sent).toHaveLength(2);
    f.advanceTo(t0 + 2 * BACKOFF_MS * 1000);
    expect(f.lastFetch()).toEqual(['t-0', 't-1']);
  });

  it('a metadata update adding partitions during the sleep after a failed fetch wakes it (signal), and the delay runs from then', () => {
    const f = disconnected(['t-0', 't-1']);
    const woken = (BACKOFF_MS * 1000) / 2;
    f.advanceTo(woken);
    f.follow(['t-2'], 2, 0);
    f.m.startFetchers();
    // The new partition is fetched at once; the failed request's partitions are delayed one backoff from the wake.
    expect(f.sent).toHaveLength(2);
    expect(f.lastFetch()).toEqual(['t-2']);
    f.advanceTo(woken + BACKOFF_MS * 1000 - 1);
    f.answer();
    expect(f.lastFetch()).toEqual(['t-2']);
    f.advanceTo(woken + BACKOFF_MS * 1000);
    f.answer();
    expect(f.lastFetch()).toEqual(['t-0', 't-1', 't-2']);
  });

  it('a partition re-added with a new epoch during the sleep after a failed fetch is delayed with the others (it was in partitionsWithError)', () => {
    const f = disconnected(['t-0', 't-1']);
    const woken = (BACKOFF_MS * 1000) / 2;
    f.advanceTo(woken);
    f.follow(['t-1'], 2, 1);
    f.m.startFetchers();
    expect(f.sent).toHaveLength(1);
    f.advanceTo(woken + BACKOFF_MS * 1000 - 1);
    expect(f.sent).toHaveLength(1);
    f.advanceTo(woken + BACKOFF_MS * 1000);
    expect(f.lastFetch()).toEqual(['t-0', 't-1']);
    expect(f.sent[1]!.payload.partitions[1]!.currentLeaderEpoch).toBe(1);
  });

  it('a metadata update for another leader does not cut the sleep after a failed fetch short', () => {
    const f = disconnected(['t-0']);
    f.advanceTo((BACKOFF_MS * 1000) / 2);
    f.follow(['t-1'], 3, 0);
    f.m.startFetchers();
    expect(f.sent.map((s) => s.to)).toEqual(['b2', 'b3']);
    f.advanceTo(2 * BACKOFF_MS * 1000 - 1);
    expect(f.sent.map((s) => s.to)).toEqual(['b2', 'b3']);
    f.advanceTo(2 * BACKOFF_MS * 1000);
    expect(f.sent.map((s) => s.to)).toEqual(['b2', 'b3', 'b2']);
  });

  it('a fenced partition whose epoch this broker still holds waits for the new metadata (markPartitionFailed)', () => {
    const f = follower();
    f.follow(['t-0', 't-1'], 2, 3);
    f.m.startFetchers();
    f.answer({ 't-1': 'FENCED_LEADER_EPOCH' });
    expect(f.lastFetch()).toEqual(['t-0']);
    f.kernel.now = 5 * BACKOFF_MS * 1000;
    f.answer();
    expect(f.lastFetch()).toEqual(['t-0']);
    // The update with epoch 4 adds it again, with no delay.
    f.follow(['t-1'], 2, 4);
    f.answer();
    expect(f.lastFetch()).toEqual(['t-0', 't-1']);
    expect(f.sent[f.sent.length - 1]!.payload.partitions[1]!.currentLeaderEpoch).toBe(4);
  });

  it('a fenced partition whose newer epoch arrived while the fetch was in flight is retried after replica.fetch.backoff.ms', () => {
    const f = follower();
    f.follow(['t-0', 't-1'], 2, 3);
    f.m.startFetchers();
    // Epoch 4 arrives before the answer to the fetch sent with epoch 3.
    f.follow(['t-1'], 2, 4);
    f.m.startFetchers();
    expect(f.sent).toHaveLength(1);
    f.answer({ 't-1': 'FENCED_LEADER_EPOCH' });
    expect(f.lastFetch()).toEqual(['t-0']);
    f.kernel.now = BACKOFF_MS * 1000;
    f.answer();
    expect(f.lastFetch()).toEqual(['t-0', 't-1']);
  });
});
