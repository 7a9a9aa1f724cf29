/**
 * The produce purgatory, following Kafka's DelayedProduce and the ReplicaManager's
 * delayedProducePurgatory: an acks=all produce request waits here until the high watermark passes
 * its records on every partition, the leadership moves, or request.timeout.ms runs out. Split from the
 * broker because Kafka keeps delayed operations apart from the request handling that creates them.
 */
import type { BrokerContext } from './context.js';
import { Deadlines, type Deadline } from '../../kernel/deadlines.js';
import type { Envelope } from '../../resources/network.js';
import type { HostedPartitions, Partition } from './partition.js';
import * as P from '../protocol.js';
import type { KafkaError } from '../../trace/events.js';

/** A produce request waiting in purgatory for the HW (acks=all) or the disk (acks=1). */
export interface DelayedProduce {
  /** The produce request to answer; null for the group coordinator's own appends, which get `onDone`. */
  env: Envelope<P.ProduceRequest> | null;
  onDone?: (results: P.ProducePartitionResponse[]) => void;
  results: P.ProducePartitionResponse[];
  /** Per partition (index into results): the offset the HW must reach, or -1 once settled. */
  required: number[];
  /** How many partitions still wait. */
  waiting: number;
  deadlineUs: number;
  done: boolean;
  deadline?: Deadline;
  /** Per partition, this broker's partition if it led it, looked up under `generation` of the hosted partitions. */
  lps?: Array<Partition | undefined>;
  generation?: number;
}

export class ProducePurgatory {
  private delayed: DelayedProduce[] = [];
  private deadlines: Deadlines<DelayedProduce>;

  constructor(
    private readonly broker: BrokerContext,
    private readonly partitions: HostedPartitions,
  ) {
    this.deadlines = this.newDeadlines();
  }

  /** A new process incarnation: nothing waits any more. */
  reset(): void {
    this.delayed = [];
    this.deadlines = this.newDeadlines();
  }

  private newDeadlines(): Deadlines<DelayedProduce> {
    return new Deadlines(this.broker, (dp) => this.expire(dp));
  }

  /** Park a request that waits for the HW, then see whether it is already satisfied. */
  add(dp: DelayedProduce): void {
    this.delayed.push(dp);
    dp.deadline = this.deadlines.add(dp.deadlineUs, dp);
    this.tryComplete(dp);
  }

  respond(dp: DelayedProduce): void {
    if (dp.done) return;
    dp.done = true;
    if (dp.deadline !== undefined) this.deadlines.cancel(dp.deadline);
    const i = this.delayed.indexOf(dp);
    if (i >= 0) removeAt(this.delayed, i);
    if (dp.env === null) return dp.onDone?.(dp.results);
    const b = this.broker;
    b.net.reply<P.ProduceResponse>(dp.env, 'ProduceResponse', P.REQUEST_OVERHEAD_BYTES + 32 * dp.results.length, { correlationId: dp.env.payload.correlationId, results: dp.results });
  }

  /** A high watermark moved: try every waiting request. */
  checkAll(): void {
    // tryComplete may remove entries: walk backwards over a stable prefix.
    const dps = this.delayed;
    for (let i = dps.length - 1; i >= 0; i--) if (i < dps.length) this.tryComplete(dps[i]);
  }

  /** DelayedProduce.tryComplete with checkEnoughReplicasReachOffset for each waiting partition. */
  private tryComplete(dp: DelayedProduce): void {
    const rm = this.partitions;
    for (let i = 0; i < dp.required.length; i++) {
      const required = dp.required[i];
      if (required < 0) continue;
      // The lookup the request made, while the hosted partitions are the same (a leader stays a leader).
      const lp = dp.lps !== undefined && dp.generation === rm.generation ? dp.lps[i] : rm.leaderPartition(dp.results[i].tp);
      if (lp === undefined) {
        this.settle(dp, i, 'NOT_LEADER_OR_FOLLOWER');
      } else if (lp.log.hw >= required) {
        this.settle(dp, i, lp.underMinIsrAfterAppend() ? 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' : 'NONE');
      }
    }
    if (dp.waiting === 0) this.respond(dp);
  }

  /** One partition of a delayed produce is decided. */
  private settle(dp: DelayedProduce, i: number, error: KafkaError): void {
    if (dp.required[i] < 0) return;
    dp.required[i] = -1;
    dp.waiting--;
    if (error !== 'NONE') dp.results[i] = { ...dp.results[i], error };
  }

  /** This broker stopped leading `tp`: every request waiting on it fails with `error`. */
  failPartition(tp: string, error: KafkaError): void {
    for (const dp of [...this.delayed]) {
      for (let i = 0; i < dp.required.length; i++) if (dp.results[i].tp === tp) this.settle(dp, i, error);
      if (dp.waiting === 0) this.respond(dp);
    }
  }

  private expire(dp: DelayedProduce): void {
    if (dp.done) return;
    for (let i = 0; i < dp.required.length; i++) this.settle(dp, i, 'REQUEST_TIMED_OUT');
    this.respond(dp);
  }
}

/** Remove `list[i]` in place (splice would also build an array of what it removed; pop, not a length change, which V8 runs outside the compiled code). */
function removeAt<T>(list: T[], i: number): void {
  for (let k = i + 1; k < list.length; k++) list[k - 1] = list[k];
  list.pop();
}
