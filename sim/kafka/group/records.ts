/**
 * The values of the records a group coordinator writes to `__consumer_offsets`: offset commits
 * (OffsetCommitKey/Value) and group metadata (GroupMetadataKey/Value, written when a generation's
 * assignment is stored; for KIP-848 groups the ConsumerGroup* records). The simulator's logs hold batches, not record values, so the values live here,
 * keyed by the partition, offset and leader epoch the leader appended them at. A coordinator that takes
 * over reads back exactly the records its own log holds: a commit lost by a truncation or an unclean
 * election is lost for the group too.
 */
import type { PartitionLog } from '../partition-log.js';
import type { StoredConsumerMember } from './consumer-group.js';

export type { StoredConsumerMember };

export interface StoredMember {
  memberId: string;
  instanceId?: string;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** The member's subscription for the group's protocol. */
  topics: string[];
  assignment: string[];
}

export type GroupRecord =
  | { kind: 'offset'; group: string; tp: string; offset: number }
  | { kind: 'group'; group: string; generation: number; protocol: string; leader: string; members: StoredMember[] }
  /** KIP-848 groups: a member's metadata and current assignment (null: its tombstones). */
  | { kind: 'consumerMember'; group: string; memberId: string; value: StoredConsumerMember | null }
  /** ConsumerGroupTargetAssignmentMemberValue (null: its tombstone). */
  | { kind: 'consumerTarget'; group: string; memberId: string; partitions: readonly string[] | null }
  /** ConsumerGroupMetadataValue (the group epoch) and ConsumerGroupTargetAssignmentMetadataValue (its epoch, the assignor). */
  | { kind: 'consumerEpoch'; group: string; groupEpoch: number; assignmentEpoch: number; assignor?: string };

interface Written {
  offset: number;
  epoch: number;
  records: GroupRecord[];
}

/** One table per run, shared by the brokers (it stands for the records' bytes on their disks). */
export class GroupRecordValues {
  private readonly byPartition = new Map<string, Written[]>();
  /** Sequence numbers of the coordinator's batches (pid -1): unique in the run, so no two batches look alike. */
  private seq = 0;

  private members = 0;

  /** The number in a new member id (Kafka puts a random UUID there; a run-wide counter keeps ids unique and stable). */
  nextMemberNumber(): number {
    return ++this.members;
  }

  nextSeq(count: number): number {
    const s = this.seq;
    this.seq += count;
    return s;
  }

  /** A leader appended `records` at `offset` in `epoch`. */
  put(tp: string, offset: number, epoch: number, records: GroupRecord[]): void {
    let list = this.byPartition.get(tp);
    if (list === undefined) this.byPartition.set(tp, (list = []));
    list.push({ offset, epoch, records });
  }

  /** The records `log` holds, in offset order (an entry counts when the log has its offset in its epoch). */
  read(tp: string, log: PartitionLog): GroupRecord[] {
    const out: GroupRecord[] = [];
    const list = this.byPartition.get(tp) ?? [];
    const held = list.filter((w) => w.offset < log.leo && epochAt(log, w.offset) === w.epoch).sort((a, b) => a.offset - b.offset);
    let last = -1;
    for (const w of held) {
      if (w.offset === last) continue;
      last = w.offset;
      out.push(...w.records);
    }
    return out;
  }
}

/** The leader epoch of the record at `offset` in `log` (its epoch cache), -1 if unknown. */
function epochAt(log: PartitionLog, offset: number): number {
  let epoch = -1;
  for (const e of log.epochs) {
    if (e.startOffset > offset) break;
    epoch = e.epoch;
  }
  return epoch;
}
