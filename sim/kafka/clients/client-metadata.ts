/**
 * A client's metadata (the Metadata class of Kafka's clients): asks one broker at a time for the
 * cluster image, moves to the next broker on a timeout (which closes the connection, as NetworkClient
 * does) or disconnect, and refreshes on request
 * (after NOT_LEADER_OR_FOLLOWER and friends), when a partition has no leader, and every
 * metadata.max.age.ms.
 */
import { NO_LEADER, type MetadataImage } from '../metadata.js';
import type { Network } from '../../resources/network.js';
import type { Process } from '../../kernel/process.js';
import type * as P from '../protocol.js';
import type { ReconnectBackoff } from './reconnect.js';
import type { Trace } from '../../trace/bus.js';

export class ClientMetadata {
  image: MetadataImage | null = null;
  private inflight = false;
  private correlation = 0;
  private target = 0;

  constructor(
    private readonly proc: Process,
    private readonly net: Network,
    private readonly trace: Trace,
    private readonly brokers: number[],
    private readonly topic: string,
    private readonly cfg: { requestTimeoutMs: number; retryBackoffMs: number; metadataMaxAgeMs: number },
    private readonly backoff: ReconnectBackoff,
    /** Called after every new image. */
    private readonly onUpdate: () => void,
    /** Whether the client still needs partitions without a leader (keeps refreshing while true). */
    private readonly wantsLeaders: () => boolean,
    /** Close the client's connection to a broker (its request timed out): every request on it fails, this one too. */
    private readonly closeConnection: (node: number, reason: string) => void,
    /** How many requests the client has in flight to a broker (NetworkClient's inFlightRequests.count). */
    private readonly inFlight: (node: number) => number,
  ) {}

  reset(): void {
    this.image = null;
    this.inflight = false;
    this.proc.timer(this.agePeriodUs(), () => this.ageLoop());
  }

  /** Ask for fresh metadata (one request at a time). */
  request(): void {
    if (this.inflight || !this.proc.alive) return;
    const now = this.proc.kernel.now;
    const node = this.leastLoadedNode(now);
    const readyAt = this.backoff.readyAt(node);
    if (readyAt > now) {
      this.proc.timerAt(readyAt, () => this.request());
      return;
    }
    this.inflight = true;
    const correlationId = (this.correlation = this.correlation + 1);
    this.net.send<P.MetadataRequest>(this.proc.node, `b${node}`, 'Metadata', 64, { correlationId, topics: [this.topic] });
    this.proc.timer(this.cfg.requestTimeoutMs * 1000, () => {
      if (this.inflight && this.correlation === correlationId) this.closeConnection(node, 'request.timeout.ms');
    });
  }

  /**
   * NetworkClient.leastLoadedNode: from a rotating start (Kafka's is random), the first connected broker
   * with no request in flight; else the connected one with the fewest; else one whose reconnect backoff is
   * over; else (all backed off) the current one. A broker reads one request of a connection at a time, so
   * a metadata request sent behind a parked produce or fetch waits for it. Leaves `target` on the choice.
   */
  private leastLoadedNode(now: number): number {
    const n = this.brokers.length;
    let ready = -1;
    let fewest = Number.POSITIVE_INFINITY;
    let canConnect = -1;
    for (let i = 0; i < n; i++) {
      const node = this.brokers[(this.target + i) % n];
      if (this.backoff.readyAt(node) > now) continue;
      if (!this.backoff.connected(node)) {
        if (canConnect < 0) canConnect = i;
        continue;
      }
      const count = this.inFlight(node);
      if (count < fewest) {
        fewest = count;
        ready = i;
        if (count === 0) break;
      }
    }
    const pick = ready >= 0 ? ready : canConnect;
    if (pick > 0) this.target += pick;
    return this.brokers[this.target % n];
  }

  /** The broker we were asking went away. */
  disconnected(node: number): void {
    if (this.inflight && this.brokers[this.target % this.brokers.length] === node) this.failed();
  }

  onResponse(r: P.MetadataResponse): void {
    if (!this.inflight || r.correlationId !== this.correlation) return;
    this.inflight = false;
    this.backoff.succeeded(this.brokers[this.target % this.brokers.length]);
    if (this.image === null || r.image.version >= this.image.version) this.image = r.image;
    this.trace.emit({ type: 'metadata', t: this.proc.kernel.now, node: this.proc.node, version: this.image.version });
    const n = this.image.topics[this.topic].partitions;
    let leaderless = false;
    for (let p = 0; p < n; p++) if (this.image.partitions[`${this.topic}-${p}`].leader === NO_LEADER) leaderless = true;
    if (leaderless) {
      // Another broker may know a newer image; ask again after the backoff while it matters.
      this.target++;
      this.proc.timer(this.cfg.retryBackoffMs * 1000, () => {
        if (this.wantsLeaders()) this.request();
      });
    }
    this.onUpdate();
  }

  private failed(): void {
    this.inflight = false;
    this.backoff.failed(this.brokers[this.target % this.brokers.length], this.proc.kernel.now);
    this.target++;
    this.proc.timer(this.cfg.retryBackoffMs * 1000, () => this.request());
  }

  /** metadata.max.age.ms; 0 (Kafka accepts it: metadata always stale) refreshes at most once per millisecond. */
  private agePeriodUs(): number {
    return Math.max(1, this.cfg.metadataMaxAgeMs) * 1000;
  }

  private ageLoop(): void {
    this.request();
    this.proc.timer(this.agePeriodUs(), () => this.ageLoop());
  }
}
