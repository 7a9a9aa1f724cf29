/**
 * What the controller's managers (cluster-control.ts, replication-control.ts) use of the controller that
 * owns them (controller.ts, Kafka's QuorumController), so that they depend on this small interface and
 * not on the Controller class that constructs them.
 */
import type { Kernel } from '../../kernel/kernel.js';
import type { MetadataImage } from '../metadata.js';
import type { Envelope } from '../../resources/network.js';
import type { Trace } from '../../trace/bus.js';

export interface ControllerConfig {
  brokerSessionTimeoutMs: number;
  autoLeaderRebalanceEnable: boolean;
  leaderImbalanceCheckIntervalSec: number;
  /**
   * ZooKeeper mode's gate (leader.imbalance.per.broker.percentage): a broker's partitions are moved back only
   * when more than this share of those it prefers are led elsewhere. Null for KRaft, whose
   * maybeBalancePartitionLeaders has no gate.
   */
  leaderImbalancePerBrokerPercentage: number | null;
  /** Kafka 4.x Eligible Leader Replicas (KIP-966). */
  elrEnabled: boolean;
}

/** What ClusterControlManager asks of ReplicationControlManager when a broker is fenced, shut down or unfenced. */
export interface ReplicationControl {
  removeFromIsrsAndElect(broker: number, isrReason: 'fenced' | 'shutdown' | 'unregistered', electReason: string): void;
  /** handleBrokerUnfenced: offline partitions this broker can now lead. */
  handleBrokerUnfenced(broker: number): void;
  /** handleBrokerUncleanShutdown (4.x): out of every ISR and ELR. */
  handleBrokerUncleanShutdown(broker: number): void;
  /** handleDirectoriesOffline (KIP-858): the broker's replicas of `tps` are in failed log directories. */
  handleDirectoriesOffline(broker: number, tps: readonly string[]): void;
  /** A registration: of the broker's offline replicas, only `tps` still are (the others' disks were replaced). */
  handleRegisteredDirectories(broker: number, tps: readonly string[]): void;
}

/** The controller as its managers see it: the metadata image and its commits, replies, clock and timers. */
export interface ControllerContext {
  readonly image: MetadataImage;
  readonly kernel: Kernel;
  readonly trace: Trace;
  readonly cfg: ControllerConfig;
  readonly replicationControl: ReplicationControl;
  /** Apply a change as one metadata record: bump the version and wake parked metadata fetches. */
  commit(fn: (d: MetadataImage) => void): void;
  reply<T>(env: Envelope, kind: string, bytes: number, payload: T): void;
  /** Run `fn` after `delayUs` if this incarnation is still alive then. */
  timer(delayUs: number, fn: () => void): void;
  /** Run `fn` at absolute time `t` (µs) under the same rules as timer(). */
  timerAt(t: number, fn: () => void): void;
}
