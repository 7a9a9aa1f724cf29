/**
 * write-answered (liveness): every batch a producer sealed (its records sent: sequence numbers assigned
 * at the first drain, Kafka's RecordAccumulator.drain) got its final answer, an acknowledgement or an
 * error, by the end of the run. Only batches sealed at least the settle bound before the end count
 * (sim/checks/liveness.ts): later ones may legitimately be in flight. Kafka's producer promises the
 * answer: every send() callback completes, by delivery.timeout.ms at the latest.
 *
 * Batches are tracked by (producer, partition, producer id, sequence range). A split batch
 * (MESSAGE_TOO_LARGE) is answered piece by piece under the same sequences. After an epoch bump
 * (OUT_OF_ORDER_SEQUENCE_NUMBER, KIP-360) the partition's queued batches are sealed again under the new
 * producer id from sequence 0: a batch at sequence 0 under a new producer id forgets the partition's
 * batches under older ids (a producer's restart answered those already: PRODUCER_CRASHED).
 */
import type { LivenessReport } from './liveness.js';
import type { Violations } from './violation.js';

/** A sealed batch not answered yet: [pid, seq, end, sealed at µs]. */
type Pending = [number, number, number, number];

export class WriteAnswered {
  readonly check = 'write-answered';
  /** Per producer, per partition: batches sealed and not answered yet. */
  private readonly pending = new Map<string, Map<string, Pending[]>>();

  batch(t: number, producer: string, pid: number, tp: string, seq: number, count: number): void {
    let byTp = this.pending.get(producer);
    if (byTp === undefined) this.pending.set(producer, (byTp = new Map()));
    let list = byTp.get(tp);
    if (list === undefined) byTp.set(tp, (list = []));
    if (seq === 0 && list.length > 0 && !list.some((b) => b[0] === pid)) list.length = 0;
    list.push([pid, seq, seq + count, t]);
  }

  /** Any final answer (error NONE or not) for [seq, seq+count) of `pid`. */
  answered(producer: string, pid: number, tp: string, seq: number, count: number): void {
    const list = this.pending.get(producer)?.get(tp);
    if (list === undefined) return;
    const end = seq + count;
    for (let i = 0; i < list.length; i++) {
      const b = list[i];
      if (b[0] !== pid || b[2] <= seq || b[1] >= end) continue;
      // Cut [seq, end) out of the batch's range: nothing, its head, its tail, or both around it remain.
      const head: Pending | null = b[1] < seq ? [pid, b[1], seq, b[3]] : null;
      const tail: Pending | null = b[2] > end ? [pid, end, b[2], b[3]] : null;
      const rest = [head, tail].filter((x): x is Pending => x !== null);
      list.splice(i, 1, ...rest);
      i += rest.length - 1;
    }
  }

  /** At the end of a run whose liveness phase is checked: batches sealed before `endUs - settleUs` still unanswered. */
  endOfRun(live: LivenessReport, endUs: number, settleUs: number, out: Violations): void {
    if (!live.checked) return;
    const before = endUs - settleUs;
    for (const [producer, byTp] of [...this.pending].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      for (const [tp, list] of [...byTp].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const late = list.filter((b) => b[3] <= before).sort((a, b) => a[3] - b[3]);
        if (late.length === 0) continue;
        const records = late.reduce((n, b) => n + b[2] - b[1], 0);
        const first = late[0];
        out.report(
          this.check,
          tp,
          `${records} record(s) in ${late.length} batch(es) of producer ${producer} had no answer (ack or error) by the end of the run, the first sealed at ${first[3] / 1000} ms (producer id ${first[0]}, seq ${first[1]})`,
          endUs,
          { causeUs: first[3] },
        );
      }
    }
  }
}
