/**
 * The controller's partition changes against Kafka 4.1's PartitionChangeBuilder and
 * ReplicationControlManager (KIP-966): the ISR may become empty with ELR on, the last known leader is kept
 * and elected uncleanly once ISR and ELR are empty, and a broker back from an unclean shutdown leaves the
 * ISR and ELR; a reassignment (KIP-455) starts, waits for its new replicas and completes; partitions are
 * added. Driven through a small fake of the controller context, one change at a time.
 */
import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import type { ControllerContext, ReplicationControl } from '../../../../sim/kafka/controller/context.js';
import { ReplicationControlManager } from '../../../../sim/kafka/controller/replication-control.js';
import type { MetadataImage, PartitionState } from '../../../../sim/kafka/metadata.js';
import type { TraceEvent } from '../../../../sim/trace/events.js';

interface Fake {
  rc: ReplicationControlManager;
  events: TraceEvent[];
  part: () => PartitionState;
  setFenced: (b: number, fenced: boolean) => void;
  /** Commit a change to the image (a broker registering, say). */
  commit: (fn: (d: MetadataImage) => void) => void;
}

function fake(opts: { elr: boolean; isr: number[]; leader: number; minIsr?: number; unclean?: boolean }): Fake {
  const events: TraceEvent[] = [];
  const p: PartitionState = {
    topic: 'orders',
    partition: 0,
    tp: 'orders-0',
    replicas: [1, 2, 3],
    leader: opts.leader,
    leaderEpoch: 5,
    isr: opts.isr,
    elr: [],
    lastKnownElr: [],
    leaderRecoveryState: 'RECOVERED',
    partitionEpoch: 7,
    addingReplicas: [],
    removingReplicas: [],
  };
  const brokers = Object.fromEntries([1, 2, 3].map((id) => [id, { id, epoch: 100 + id, fenced: !opts.isr.includes(id), inControlledShutdown: false }]));
  const ctx = {
    image: {
      version: 1,
      brokers,
      topics: { orders: { name: 'orders', partitions: 1, minInsyncReplicas: opts.minIsr ?? 2, uncleanLeaderElectionEnable: opts.unclean ?? false } },
      partitions: { 'orders-0': p },
      throttledRates: {},
    } as MetadataImage,
    kernel: { now: 1000 },
    trace: { emit: (ev: TraceEvent) => events.push(ev) },
    cfg: { brokerSessionTimeoutMs: 9000, autoLeaderRebalanceEnable: false, leaderImbalanceCheckIntervalSec: 300, elrEnabled: opts.elr },
    replicationControl: undefined as unknown as ReplicationControl,
    commit(fn: (d: MetadataImage) => void) {
      this.image = produce(this.image, (d) => {
        fn(d);
        d.version++;
      });
    },
    reply() {},
    timer() {},
    timerAt() {},
  };
  const rc = new ReplicationControlManager(ctx as unknown as ControllerContext);
  return {
    rc,
    events,
    part: () => ctx.image.partitions['orders-0'],
    setFenced: (b, fenced) => ctx.commit((d) => void (d.brokers[b].fenced = fenced)),
    commit: (fn) => ctx.commit(fn),
  };
}

const pick = (p: PartitionState) => ({ leader: p.leader, isr: p.isr, elr: p.elr, lastKnownElr: p.lastKnownElr, recovery: p.leaderRecoveryState });

describe('ReplicationControlManager, Kafka 4.1 with ELR (KIP-966)', () => {
  it('fencing the last ISR member empties the ISR: it joins the ELR and is the last known leader', () => {
    const f = fake({ elr: true, isr: [1], leader: 1 });
    f.setFenced(1, true);
    f.rc.removeFromIsrsAndElect(1, 'fenced', 'leaderFenced');
    expect(pick(f.part())).toEqual({ leader: -1, isr: [], elr: [1], lastKnownElr: [1], recovery: 'RECOVERED' });
    expect(f.part().leaderEpoch).toBe(6);
    const isr = f.events.find((e) => e.type === 'isr');
    expect(isr).toMatchObject({ isr: [], prev: [1], elr: [1], lastKnownElr: [1], reason: 'fenced' });
  });

  it('elects an ELR member cleanly when the ISR is empty, making the ISR just it', () => {
    const f = fake({ elr: true, isr: [1], leader: 1 });
    f.setFenced(1, true);
    f.rc.removeFromIsrsAndElect(1, 'fenced', 'leaderFenced');
    f.setFenced(1, false);
    f.rc.handleBrokerUnfenced(1);
    expect(pick(f.part())).toEqual({ leader: 1, isr: [1], elr: [], lastKnownElr: [], recovery: 'RECOVERED' });
    expect(f.events.filter((e) => e.type === 'election').at(-1)).toMatchObject({ leader: 1, clean: true, reason: 'offlinePartition' });
  });

  it('removes a broker back from an unclean shutdown from the ELR; with ISR and ELR empty it elects the last known leader, uncleanly, even fenced', () => {
    // ISR [1,2] below min ISR 3 after 3 left: ELR [3]. Then both ISR members are fenced.
    const f = fake({ elr: true, isr: [1, 2, 3], leader: 1, minIsr: 3 });
    for (const b of [3, 2, 1]) {
      f.setFenced(b, true);
      f.rc.removeFromIsrsAndElect(b, 'fenced', 'leaderFenced');
    }
    expect(pick(f.part())).toEqual({ leader: -1, isr: [], elr: [1, 2, 3], lastKnownElr: [1], recovery: 'RECOVERED' });
    f.rc.handleBrokerUncleanShutdown(2);
    expect(pick(f.part())).toEqual({ leader: -1, isr: [], elr: [1, 3], lastKnownElr: [1], recovery: 'RECOVERED' });
    f.rc.handleBrokerUncleanShutdown(1);
    expect(pick(f.part()).elr).toEqual([3]);
    expect(f.part().leader).toBe(-1);
    f.rc.handleBrokerUncleanShutdown(3);
    // canElectLastKnownLeader does not ask whether broker 1 is alive (it is still fenced here).
    expect(pick(f.part())).toEqual({ leader: 1, isr: [1], elr: [], lastKnownElr: [], recovery: 'RECOVERING' });
    expect(f.events.filter((e) => e.type === 'election').at(-1)).toMatchObject({ leader: 1, clean: false, reason: 'lastKnownLeader' });
    expect(f.events.filter((e) => e.type === 'isr').at(-1)).toMatchObject({ reason: 'uncleanShutdown' });
  });

  it('takes a broker back from an unclean shutdown out of the ISR and its leadership', () => {
    const f = fake({ elr: true, isr: [1, 2, 3], leader: 1 });
    f.rc.handleBrokerUncleanShutdown(1);
    expect(pick(f.part())).toEqual({ leader: 2, isr: [2, 3], elr: [], lastKnownElr: [], recovery: 'RECOVERED' });
  });

  it("the leader's AlterPartition marks a RECOVERING partition RECOVERED", () => {
    const f = fake({ elr: true, isr: [1], leader: 1 });
    f.setFenced(1, true);
    f.rc.removeFromIsrsAndElect(1, 'fenced', 'leaderFenced');
    f.rc.handleBrokerUncleanShutdown(1);
    expect(pick(f.part())).toMatchObject({ leader: 1, isr: [1], recovery: 'RECOVERING' });
    f.setFenced(1, false);
    f.setFenced(2, false);
    const p = f.part();
    f.rc.onAlterPartition({ payload: { broker: 1, brokerEpoch: 101, tp: 'orders-0', leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [1, 2] } } as never);
    expect(pick(f.part())).toMatchObject({ isr: [1, 2], recovery: 'RECOVERED' });
  });
});

describe('ReplicationControlManager without ELR (3.9 and older KRaft)', () => {
  it('never empties the ISR: the fenced last member stays, the partition has no leader', () => {
    const f = fake({ elr: false, isr: [1], leader: 1 });
    f.setFenced(1, true);
    f.rc.removeFromIsrsAndElect(1, 'fenced', 'leaderFenced');
    expect(pick(f.part())).toEqual({ leader: -1, isr: [1], elr: [], lastKnownElr: [], recovery: 'RECOVERED' });
    f.setFenced(1, false);
    f.rc.handleBrokerUnfenced(1);
    expect(f.events.filter((e) => e.type === 'election').at(-1)).toMatchObject({ leader: 1, clean: true });
  });

  it('with unclean.leader.election.enable elects a live out-of-ISR replica, uncleanly, and marks it RECOVERING', () => {
    const f = fake({ elr: false, isr: [1], leader: 1, unclean: true });
    f.setFenced(2, false);
    f.setFenced(1, true);
    f.rc.removeFromIsrsAndElect(1, 'fenced', 'leaderFenced');
    expect(pick(f.part())).toEqual({ leader: 2, isr: [2], elr: [], lastKnownElr: [], recovery: 'RECOVERING' });
    expect(f.events.filter((e) => e.type === 'election').at(-1)).toMatchObject({ leader: 2, clean: false, reason: 'unclean' });
  });
});

describe('ReplicationControlManager: reassignment (KIP-455) and CreatePartitions', () => {
  /** orders-0 on [1,2,3] led by 1, all in the ISR, broker 4 registered and unfenced. */
  function withBroker4(): Fake {
    const f = fake({ elr: true, isr: [1, 2, 3], leader: 1 });
    f.commit((d) => void (d.brokers[4] = { id: 4, epoch: 104, fenced: false, inControlledShutdown: false }));
    return f;
  }
  const alter = (f: Fake, newIsr: number[]) => {
    const p = f.part();
    f.rc.onAlterPartition({ payload: { broker: p.leader, brokerEpoch: 100 + p.leader, tp: 'orders-0', leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr } } as never);
  };

  it('starts: replicas are the target then the removing ones; the leader, its epoch and the ISR stay', () => {
    const f = withBroker4();
    expect(f.rc.alterPartitionReassignment('orders-0', [4, 2, 3])).toBeUndefined();
    expect(f.part()).toMatchObject({ replicas: [4, 2, 3, 1], addingReplicas: [4], removingReplicas: [1], leader: 1, leaderEpoch: 5, isr: [1, 2, 3], partitionEpoch: 8 });
    expect(f.events.map((e) => e.type)).toEqual(['reassign']);
    expect(f.events[0]).toMatchObject({ phase: 'start', replicas: [4, 2, 3, 1], adding: [4], removing: [1] });
  });

  it('completes when the new replica joins the ISR: the removed leader hands over to the first target in the ISR, epoch bumped', () => {
    const f = withBroker4();
    f.rc.alterPartitionReassignment('orders-0', [4, 2, 3]);
    alter(f, [1, 2, 3, 4]);
    expect(f.part()).toMatchObject({ replicas: [4, 2, 3], addingReplicas: [], removingReplicas: [], leader: 4, leaderEpoch: 6, isr: [2, 3, 4] });
    const types = f.events.map((e) => e.type);
    expect(types).toEqual(['reassign', 'reassign', 'election', 'isr']);
    expect(f.events[1]).toMatchObject({ phase: 'complete', replicas: [4, 2, 3], adding: [4], removing: [1] });
    expect(f.events[2]).toMatchObject({ leader: 4, prevLeader: 1, reason: 'reassignment', clean: true });
    expect(f.events[3]).toMatchObject({ prev: [1, 2, 3], isr: [2, 3, 4], reason: 'reassignment' });
  });

  it('keeps a leader that stays, and still bumps the leader epoch when a replica leaves', () => {
    const f = withBroker4();
    f.rc.alterPartitionReassignment('orders-0', [1, 2, 4]);
    alter(f, [1, 2, 3, 4]);
    expect(f.part()).toMatchObject({ replicas: [1, 2, 4], leader: 1, leaderEpoch: 6, isr: [1, 2, 4] });
    expect(f.events.filter((e) => e.type === 'election')).toEqual([]);
  });

  it('a reassignment that only adds a replica completes without an epoch bump; one already satisfied completes at once', () => {
    const f = withBroker4();
    f.rc.alterPartitionReassignment('orders-0', [1, 2, 3, 4]);
    alter(f, [1, 2, 3, 4]);
    expect(f.part()).toMatchObject({ replicas: [1, 2, 3, 4], leaderEpoch: 5, isr: [1, 2, 3, 4] });
    const g = withBroker4();
    g.rc.alterPartitionReassignment('orders-0', [2, 3]);
    expect(g.part()).toMatchObject({ replicas: [2, 3], addingReplicas: [], removingReplicas: [], leader: 2, leaderEpoch: 6, isr: [2, 3] });
  });

  it("answers Kafka's errors", () => {
    const f = withBroker4();
    expect(f.rc.alterPartitionReassignment('orders-0', [5, 2, 3])).toBe(
      'INVALID_REPLICA_ASSIGNMENT for orders-0: The manual partition assignment includes broker 5, but no such broker is registered.',
    );
    expect(f.rc.alterPartitionReassignment('orders-0', [2, 2, 3])).toBe('INVALID_REPLICA_ASSIGNMENT for orders-0: The manual partition assignment includes the broker 2 more than once.');
    expect(f.rc.alterPartitionReassignment('orders-0', [1, 2, 3])).toBe('orders-0 already has replicas [1,2,3]');
    expect(f.rc.alterPartitionReassignment('orders-9', [1, 2, 3])).toBe('UNKNOWN_TOPIC_OR_PARTITION (orders-9)');
    expect(f.events).toEqual([]);
  });

  it('CreatePartitions places the new partitions over the usable brokers, each led by the first of its active replicas', () => {
    const f = withBroker4();
    f.commit((d) => void (d.brokers[3]!.inControlledShutdown = true));
    f.setFenced(2, true);
    let asked: unknown;
    const err = f.rc.createPartitions('orders', 3, (brokers, n, rf) => {
      asked = { brokers, n, rf };
      return [
        [2, 4, 1],
        [4, 1, 2],
      ];
    });
    expect(err).toBeUndefined();
    // Usable: not in controlled shutdown; the fenced one is passed as fenced (the placer puts it last).
    expect(asked).toEqual({
      brokers: [
        { id: 1, fenced: false },
        { id: 2, fenced: true },
        { id: 4, fenced: false },
      ],
      n: 2,
      rf: 3,
    });
    expect(f.part()).toMatchObject({ replicas: [1, 2, 3] });
    expect(f.events.at(-1)).toMatchObject({
      type: 'partitions',
      topic: 'orders',
      partitions: 3,
      replicas: [
        [2, 4, 1],
        [4, 1, 2],
      ],
      isr: [
        [4, 1],
        [4, 1],
      ],
    });
    expect(f.rc.createPartitions('orders', 3, () => [])).toBe('INVALID_PARTITIONS: Topic already has 3 partition(s).');
    expect(f.rc.createPartitions('nope', 3, () => [])).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });
});
