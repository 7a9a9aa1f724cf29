/**
 * The leader side of a replication throttle, following Kafka's ReplicationQuotaManager as
 * kafka-reassign-partitions --throttle uses it: leader.replication.throttled.rate bounds the bytes a
 * leader sends to followers of throttled replicas. ReplicaManager.readFromLog skips a throttled partition
 * for a follower out of the ISR while the quota is exceeded (shouldLeaderThrottle), and records the bytes
 * it does send. Kafka measures the rate over replication.quota.window.num (11) windows of
 * replication.quota.window.size.seconds (1); the simulator keeps a bucket that refills at the rate and
 * holds at most one second of it, and the quota is exceeded while the bucket is below zero: the same
 * average rate, with one fetch's burst at a time.
 */
export class ReplicationQuota {
  private tokens = 0;
  private lastUs = 0;
  private rate = -1;

  /** Whether the quota at `bytesPerSec` is exceeded now (ReplicationQuotaManager.isQuotaExceeded). */
  exceeded(nowUs: number, bytesPerSec: number): boolean {
    this.refill(nowUs, bytesPerSec);
    return this.tokens < 0;
  }

  /** Bytes sent to a throttled replica (ReplicationQuotaManager.record). */
  record(nowUs: number, bytesPerSec: number, bytes: number): void {
    this.refill(nowUs, bytesPerSec);
    this.tokens -= bytes;
  }

  private refill(nowUs: number, bytesPerSec: number): void {
    if (bytesPerSec !== this.rate) {
      this.rate = bytesPerSec;
      this.tokens = bytesPerSec;
    } else {
      this.tokens = Math.min(bytesPerSec, this.tokens + ((nowUs - this.lastUs) * bytesPerSec) / 1e6);
    }
    this.lastUs = nowUs;
  }
}
