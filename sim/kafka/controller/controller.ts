/**
 * The KRaft controller (one active controller; the quorum's own replication is not modelled).
 * It registers brokers, tracks their heartbeats, fences a broker silent for
 * broker.session.timeout.ms, elects leaders (PartitionChangeBuilder's rules), commits ISR changes
 * sent by leaders (AlterPartition), runs controlled shutdowns and preferred-leader elections, and
 * serves the metadata image to brokers that fetch it.
 *
 * Split along Kafka's QuorumController managers: cluster-control.ts (ClusterControlManager: broker
 * registration, heartbeats, fencing, controlled shutdown) and replication-control.ts
 * (ReplicationControlManager / PartitionChangeBuilder: elections, ISR changes). This class keeps the
 * metadata image, its commits, and the metadata fetches brokers use to follow it.
 */
import { produce } from 'immer';
import type { Kernel } from '../../kernel/kernel.js';
import { ClusterControlManager } from './cluster-control.js';
import type { ControllerConfig, ControllerContext } from './context.js';
import type { MetadataImage } from '../metadata.js';
import type { Envelope, Network } from '../../resources/network.js';
import { Process } from '../../kernel/process.js';
import type * as P from '../protocol.js';
import { ReplicationControlManager } from './replication-control.js';
import type { Trace } from '../../trace/bus.js';

export type { ControllerConfig } from './context.js';

interface ParkedMetadataFetch {
  env: Envelope<P.MetadataFetchRequest>;
  untilUs: number;
}

const METADATA_FETCH_WAIT_US = 500_000;

export class Controller extends Process implements ControllerContext {
  image: MetadataImage;
  readonly clusterControl: ClusterControlManager;
  readonly replicationControl: ReplicationControlManager;
  private parked: ParkedMetadataFetch[] = [];

  constructor(
    kernel: Kernel,
    private readonly net: Network,
    readonly trace: Trace,
    readonly cfg: ControllerConfig,
    initial: MetadataImage,
  ) {
    super(kernel, 'ctl');
    this.image = initial;
    this.clusterControl = new ClusterControlManager(this);
    this.replicationControl = new ReplicationControlManager(this);
    net.attach(this, (env) => this.receive(env));
  }

  /** At time 0 the cluster is already formed: every broker has a live session. */
  adoptBroker(broker: number, incarnation: number): void {
    this.clusterControl.adoptBroker(broker, incarnation);
  }

  start(): void {
    this.markStarted();
    this.clusterControl.restartSessions();
    if (this.cfg.autoLeaderRebalanceEnable) this.replicationControl.scheduleRebalance();
  }

  crash(): void {
    this.markDown();
    this.parked = [];
  }

  /** Elect a leader for `tp` if it needs one (ONLINE election). */
  elect(tp: string, reason: string): void {
    this.replicationControl.elect(tp, reason);
  }

  // ---- messages ------------------------------------------------------------------------------

  private receive(env: Envelope): void {
    switch (env.kind) {
      case 'BrokerRegistration':
        return this.clusterControl.onRegistration(env as Envelope<P.BrokerRegistrationRequest>);
      case 'BrokerHeartbeat':
        return this.clusterControl.onHeartbeat(env as Envelope<P.BrokerHeartbeatRequest>);
      case 'MetadataFetch':
        return this.onMetadataFetch(env as Envelope<P.MetadataFetchRequest>);
      case 'AlterPartition':
        return this.replicationControl.onAlterPartition(env as Envelope<P.AlterPartitionRequest>);
    }
  }

  reply<T>(env: Envelope, kind: string, bytes: number, payload: T): void {
    this.net.reply(env, kind, bytes, payload);
  }

  private onMetadataFetch(env: Envelope<P.MetadataFetchRequest>): void {
    if (env.payload.version < this.image.version) this.sendImage(env);
    else {
      const untilUs = this.kernel.now + METADATA_FETCH_WAIT_US;
      const parked = { env, untilUs };
      this.parked.push(parked);
      this.timerAt(untilUs, () => {
        const i = this.parked.indexOf(parked);
        if (i >= 0) {
          this.parked.splice(i, 1);
          this.sendImage(env);
        }
      });
    }
  }

  private sendImage(env: Envelope<P.MetadataFetchRequest>): void {
    const bytes = 64 + (this.image.version - env.payload.version > 0 ? 128 : 0);
    this.reply<P.MetadataFetchResponse>(env, 'MetadataFetchResponse', bytes, { image: this.image });
  }

  /** Apply a change as one metadata record: bump the version and wake parked metadata fetches. */
  commit(fn: (d: MetadataImage) => void): void {
    this.image = produce(this.image, (d) => {
      fn(d);
      d.version++;
    });
    const parked = this.parked;
    this.parked = [];
    for (const p of parked) this.sendImage(p.env);
  }
}
