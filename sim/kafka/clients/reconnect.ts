/**
 * Kafka clients' reconnect backoff (ClusterConnectionStates): after a connection to a broker fails,
 * wait reconnect.backoff.ms (50), doubling per failure up to reconnect.backoff.max.ms (1000), with
 * ±20% jitter, before trying that broker again. A successful response resets it.
 */
import type { Stream } from '../../kernel/random.js';

const RECONNECT_BACKOFF_MS = 50;
const RECONNECT_BACKOFF_MAX_MS = 1000;

export class ReconnectBackoff {
  private readonly failures = new Map<number, number>();
  private readonly until = new Map<number, number>();
  /** Brokers that answered since their last failed connection: the client holds a working connection to them. */
  private readonly answered = new Set<number>();

  constructor(private readonly rng: Stream) {}

  /** When `node` may be connected to again (µs); ≤ now means now. */
  readyAt(node: number): number {
    return this.until.get(node) ?? 0;
  }

  /** Whether the client has a working connection to `node`: it answered since the last failure (NetworkClient.isReady, as far as the client knows). */
  connected(node: number): boolean {
    return this.answered.has(node);
  }

  failed(node: number, nowUs: number): void {
    this.answered.delete(node);
    const n = (this.failures.get(node) ?? 0) + 1;
    this.failures.set(node, n);
    const ms = Math.min(RECONNECT_BACKOFF_MS * Math.pow(2, n - 1), RECONNECT_BACKOFF_MAX_MS);
    this.until.set(node, nowUs + Math.round(ms * (0.8 + 0.4 * this.rng()) * 1000));
  }

  succeeded(node: number): void {
    this.answered.add(node);
    if (this.failures.has(node)) {
      this.failures.delete(node);
      this.until.delete(node);
    }
  }

  reset(): void {
    this.failures.clear();
    this.until.clear();
    this.answered.clear();
  }
}
