/**
 * The idempotent producer's identity, following the part of Kafka's TransactionManager that an
 * idempotent (non-transactional) producer uses: the producer id (InitProducerId) and the next sequence
 * number per partition, and the epoch bump after an OutOfOrderSequence (KIP-360). Split from the Sender
 * because Kafka keeps this state in its own class, shared by the Sender and the accumulator.
 */
export class TransactionManager {
  /** Producer id (numbered per producer session by the simulator). */
  pid = 0;
  private nextSeq: number[] = [];
  /** Per partition: the last sequence acknowledged in this session (TxnPartitionEntry.lastAckedSequence), -1 if none. */
  private lastAcked: number[] = [];

  constructor(
    private partitions: number,
    /** Hands out producer ids (InitProducerId). */
    private readonly newPid: () => number,
  ) {}

  /** InitProducerId at start: a new producer id, sequences from 0. */
  initProducerId(): void {
    this.pid = this.newPid();
    this.nextSeq = Array.from({ length: this.partitions }, () => 0);
    this.lastAcked = Array.from({ length: this.partitions }, () => -1);
  }

  /** The topic has `n` partitions now: the new ones start at sequence 0. */
  growPartitions(n: number): void {
    for (let p = this.partitions; p < n; p++) {
      this.nextSeq.push(0);
      this.lastAcked.push(-1);
    }
    this.partitions = n;
  }

  /** The sequence of a new batch of `count` records on partition p (and advance past it). */
  nextSequence(p: number, count: number): number {
    const seq = this.nextSeq[p];
    this.nextSeq[p] += count;
    return seq;
  }

  /** A new producer session whose partition p starts again at sequence 0. */
  bumpEpoch(p: number): void {
    this.pid = this.newPid();
    this.nextSeq[p] = 0;
    this.lastAcked[p] = -1;
  }

  /** TransactionManager.maybeUpdateLastAckedSequence: a batch of this session was acknowledged. */
  acknowledged(p: number, pid: number, seq: number, count: number): void {
    if (pid === this.pid && seq + count - 1 > this.lastAcked[p]) this.lastAcked[p] = seq + count - 1;
  }

  /** TransactionManager.isNextSequence: the batch at `seq` of this session follows the last acknowledged one. */
  isNextSequence(p: number, pid: number, seq: number): boolean {
    return pid === this.pid && seq === this.lastAcked[p] + 1;
  }
}
