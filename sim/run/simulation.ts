/**
 * Assembles a run from a scenario: the kernel, named random streams, network, disks, brokers, the
 * controller, clients (workloads.ts) and the fault schedule (faults.ts). `createSimulation` gives a
 * steppable run (the visualizer and tests drive it); `simulate` runs it to the end and returns a summary.
 */
import { Broker, type BrokerConfig } from '../kafka/broker/broker.js';
import { OFFSETS_TOPIC } from '../kafka/group/messages.js';
import { GroupsReport } from '../report/groups.js';
import { GroupRecordValues } from '../kafka/group/records.js';
import { Checker } from '../checks/checks.js';
import { effectiveTopicConfig, logDirs, metadataLogDirIndex, serverAssignors } from '../config/config.js';
import type { Consumer } from '../kafka/clients/consumer.js';
import { Controller } from '../kafka/controller/controller.js';
import { Disk } from '../resources/disk.js';
import { Cpu, RequestHandling } from '../resources/cpu.js';
import { busyShare, type LogDirUse, type NodeBusy } from '../report/resources.js';
import { Kernel } from '../kernel/kernel.js';
import { newPartitionState, type MetadataImage } from '../kafka/metadata.js';
import { Metrics } from '../kafka/clients/metrics.js';
import { Network } from '../resources/network.js';
import { placeReplicas, type UsableBroker } from '../kafka/placement.js';
import type { Producer } from '../kafka/clients/producer.js';
import { Streams } from '../kernel/random.js';
import type { ConfigMap, Scenario } from '../scenario/types.js';
import { summarize, type RunSummary } from '../report/summary.js';
import { Timeline } from '../report/timeline.js';
import { TRACE_SCHEMA_VERSION, type TopicInfo, type TraceSink } from '../trace/events.js';
import { Trace, type TraceMode } from '../trace/bus.js';
import { bool, num } from './configs.js';
import { Faults } from './faults.js';
import { livenessBounds, REPLICA_SOCKET_TIMEOUT_MS } from './liveness-bound.js';
import { createClients } from './workloads.js';

export interface SimulationOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Extra trace sinks (an NDJSON writer, an array for the visualizer). */
  sinks?: TraceSink[];
  /** Simulated times (µs) at which to describe the consumer groups (kafka-consumer-groups --describe). */
  groupsAtUs?: number[];
  /**
   * `summary` (the default without sinks): the run keeps no trace and builds no event that only the trace
   * would read; its trace hash, checks and summary are those of `full`, which builds every event (the
   * default with sinks; summary with sinks is an error).
   */
  trace?: TraceMode;
}

/** A run in progress. */
export class Simulation {
  readonly kernel = new Kernel();
  readonly trace: Trace;
  readonly streams: Streams;
  readonly seed: number;
  readonly net: Network;
  readonly controller: Controller;
  readonly brokers = new Map<number, Broker>();
  readonly producers = new Map<string, Producer>();
  readonly consumers = new Map<string, Consumer>();
  readonly metrics = new Metrics();
  readonly checker: Checker;
  readonly timeline = new Timeline();
  /** The consumer groups' describe tables and lag (only when the scenario has a group). */
  readonly groups: GroupsReport | null;
  readonly topics: TopicInfo[];
  get offsetsPartitions(): number {
    return num(this.scenario.cluster.config, 'offsets.topic.num.partitions');
  }
  private readonly faults = new Faults(this);
  private brokerCfg: BrokerConfig | undefined;
  private ended = false;

  constructor(
    readonly scenario: Scenario,
    opts: SimulationOptions = {},
  ) {
    this.seed = opts.seed ?? scenario.seed;
    this.checker = new Checker(livenessBounds(scenario));
    this.streams = new Streams(this.seed);
    const sinks = opts.sinks ?? [];
    this.trace = new Trace(this.checker, this.timeline, sinks, opts.trace ?? (sinks.length > 0 ? 'full' : 'summary'));
    // The groups report reads the events the timeline sees, and the timeline's high watermarks.
    this.groups = scenario.consumers.some((c) => c.group !== undefined) ? new GroupsReport(this.timeline, opts.groupsAtUs) : null;
    this.timeline.groups = this.groups;
    const cluster = scenario.cluster;
    this.net = new Network(this.kernel, this.streams.get('network'), cluster.network, this.trace, this.streams.get('network:loss'));
    this.topics = this.placeTopics();
    const image = this.initialImage();
    this.controller = new Controller(
      this.kernel,
      this.net,
      this.trace,
      {
        brokerSessionTimeoutMs: this.sessionTimeoutMs(),
        autoLeaderRebalanceEnable: bool(cluster.config, 'auto.leader.rebalance.enable'),
        leaderImbalanceCheckIntervalSec: num(cluster.config, 'leader.imbalance.check.interval.seconds'),
        leaderImbalancePerBrokerPercentage: cluster.behaviour.controller === 'zookeeper' ? num(cluster.config, 'leader.imbalance.per.broker.percentage') : null,
        elrEnabled: cluster.behaviour.eligibleLeaderReplicas && num(cluster.config, 'eligible.leader.replicas.version') >= 1,
      },
      image,
    );
    this.emitHeader();
    this.createBrokers(image);
    createClients(this);
    this.faults.schedule(scenario.faults);
    this.kernel.at(scenario.durationUs, () => this.stop());
  }

  // ---- setup ---------------------------------------------------------------------------------

  /**
   * How long a silent broker stays alive for the controller. KRaft: broker.session.timeout.ms. ZooKeeper
   * era: the broker's ZooKeeper session (zookeeper.session.timeout.ms); the simulator models it with the
   * same heartbeat-and-fence mechanism (docs/profiles.md).
   */
  private sessionTimeoutMs(): number {
    const c = this.scenario.cluster;
    return c.behaviour.controller === 'zookeeper' ? num(c.config, 'zookeeper.session.timeout.ms') : num(c.config, 'broker.session.timeout.ms');
  }

  /** KRaft: broker.heartbeat.interval.ms. ZooKeeper: the client pings after a third of the session timeout idle. */
  private heartbeatIntervalMs(): number {
    const c = this.scenario.cluster;
    return c.behaviour.controller === 'zookeeper' ? Math.max(1, Math.floor(num(c.config, 'zookeeper.session.timeout.ms') / 3)) : num(c.config, 'broker.heartbeat.interval.ms');
  }

  private topicConfig(name: string): ConfigMap {
    const t = this.scenario.topics.find((x) => x.name === name);
    // __consumer_offsets is created with the brokers' defaults.
    return effectiveTopicConfig(this.scenario.cluster.config, t?.config ?? {});
  }

  private placeTopics(): TopicInfo[] {
    const rng = this.streams.get('placement');
    const { brokers, racks } = this.scenario.cluster;
    const usable = brokers.map((id) => ({ id, rack: racks[String(id)] }));
    const topics = this.scenario.topics.map((t) => {
      const tc = this.topicConfig(t.name);
      return {
        name: t.name,
        partitions: t.partitions,
        replicationFactor: t.replicationFactor,
        replicas: t.replicaAssignment ?? placeReplicas(usable, t.partitions, t.replicationFactor, rng),
        minInsyncReplicas: num(tc, 'min.insync.replicas'),
        uncleanLeaderElectionEnable: bool(tc, 'unclean.leader.election.enable'),
      };
    });
    if (!this.scenario.consumers.some((c) => c.group !== undefined)) return topics;
    // Kafka creates __consumer_offsets on the first FindCoordinator; the simulator creates it with the
    // cluster, after the scenario's topics (so their placement does not change), from the brokers' configs.
    const c = this.scenario.cluster.config;
    const n = num(c, 'offsets.topic.num.partitions');
    const rf = num(c, 'offsets.topic.replication.factor');
    const tc = this.topicConfig(OFFSETS_TOPIC);
    topics.push({
      name: OFFSETS_TOPIC,
      partitions: n,
      replicationFactor: rf,
      replicas: placeReplicas(usable, n, rf, rng),
      minInsyncReplicas: num(tc, 'min.insync.replicas'),
      uncleanLeaderElectionEnable: bool(tc, 'unclean.leader.election.enable'),
    });
    return topics;
  }

  private initialImage(): MetadataImage {
    const img: MetadataImage = { version: 1, brokers: {}, topics: {}, partitions: {}, throttledRates: {} };
    let epoch = 1;
    for (const b of this.scenario.cluster.brokers) img.brokers[b] = { id: b, epoch: epoch++, fenced: false, inControlledShutdown: false };
    for (const t of this.topics) {
      img.topics[t.name] = { name: t.name, partitions: t.partitions, minInsyncReplicas: t.minInsyncReplicas, uncleanLeaderElectionEnable: t.uncleanLeaderElectionEnable };
      t.replicas.forEach((replicas, p) => {
        const st = newPartitionState(t.name, p, replicas, [...replicas]);
        img.partitions[st.tp] = st;
      });
    }
    return img;
  }

  private emitHeader(): void {
    const s = this.scenario;
    this.trace.emit({
      type: 'header',
      t: 0,
      schema: TRACE_SCHEMA_VERSION,
      scenario: s.name,
      seed: this.seed,
      kafkaVersion: s.cluster.kafkaVersion,
      controller: s.cluster.behaviour.controller,
      sessionTimeoutMs: this.sessionTimeoutMs(),
      truncation: s.cluster.behaviour.truncation,
      durationUs: s.durationUs,
      brokers: [...s.cluster.brokers],
      topics: this.topics,
      producers: s.producers.map((p) => ({ name: p.name, topic: p.topic, acks: num(p.config, 'acks'), idempotence: bool(p.config, 'enable.idempotence') })),
      consumers: s.consumers.map((c) => {
        const instanceId = c.config['group.instance.id'] as string;
        return { name: c.name, topic: c.topic, ...(c.group !== undefined ? { group: c.group } : {}), ...(instanceId !== '' ? { instanceId } : {}) };
      }),
      ...(Object.keys(s.cluster.racks).length > 0 ? { racks: { ...s.cluster.racks } } : {}),
    });
  }

  private createBrokers(image: MetadataImage): void {
    const c = this.scenario.cluster.config;
    const kraft = this.scenario.cluster.behaviour.controller === 'kraft';
    const cfg: BrokerConfig = {
      replicaLagTimeMaxMs: num(c, 'replica.lag.time.max.ms'),
      replicaFetchWaitMaxMs: num(c, 'replica.fetch.wait.max.ms'),
      replicaFetchMinBytes: num(c, 'replica.fetch.min.bytes'),
      replicaFetchMaxBytes: num(c, 'replica.fetch.max.bytes'),
      replicaFetchResponseMaxBytes: num(c, 'replica.fetch.response.max.bytes'),
      replicaFetchBackoffMs: num(c, 'replica.fetch.backoff.ms'),
      replicaSocketTimeoutMs: REPLICA_SOCKET_TIMEOUT_MS,
      brokerHeartbeatIntervalMs: this.heartbeatIntervalMs(),
      // Both are KRaft's (a ZooKeeper-era broker has no metadata log and tells the controller through ZooKeeper).
      logDirFailureTimeoutMs: kraft ? num(c, 'log.dir.failure.timeout.ms') : Number.POSITIVE_INFINITY,
      metadataLogDir: kraft ? metadataLogDirIndex(c['log.dirs'] as string, c['metadata.log.dir'] as string) : -1,
      flushMessages: (topic) => num(this.topicConfig(topic), 'flush.messages'),
      flushMs: (topic) => num(this.topicConfig(topic), 'flush.ms'),
      maxMessageBytes: (topic) => num(this.topicConfig(topic), 'max.message.bytes'),
      minIsr: (topic) => image.topics[topic].minInsyncReplicas,
      hwFrozenUnderMinIsr: this.scenario.cluster.behaviour.hwFrozenUnderMinIsr,
      truncation: this.scenario.cluster.behaviour.truncation,
      rackOf: (id) => this.scenario.cluster.racks[String(id)],
      rackAwareReplicaSelector: c['replica.selector.class'] === 'org.apache.kafka.common.replica.RackAwareReplicaSelector',
      coordinator: {
        offsetsPartitions: num(c, 'offsets.topic.num.partitions'),
        initialRebalanceDelayMs: num(c, 'group.initial.rebalance.delay.ms'),
        minSessionTimeoutMs: num(c, 'group.min.session.timeout.ms'),
        maxSessionTimeoutMs: num(c, 'group.max.session.timeout.ms'),
        commitTimeoutMs: num(c, 'offsets.commit.timeout.ms'),
        consumerSessionTimeoutMs: num(c, 'group.consumer.session.timeout.ms'),
        consumerHeartbeatIntervalMs: num(c, 'group.consumer.heartbeat.interval.ms'),
        consumerMaxSize: num(c, 'group.consumer.max.size'),
        consumerAssignors: serverAssignors(c['group.consumer.assignors'] as string),
      },
      groupRecords: new GroupRecordValues(),
    };
    // Per-topic lookups are cached: they sit on the append path.
    cfg.flushMessages = memo(cfg.flushMessages);
    cfg.flushMs = memo(cfg.flushMs);
    cfg.maxMessageBytes = memo(cfg.maxMessageBytes);
    this.brokerCfg = cfg;
    for (const id of this.scenario.cluster.brokers) this.newBroker(id);
    this.controller.start();
    for (const b of this.brokers.values()) {
      b.start({ image, brokerEpoch: image.brokers[b.id].epoch });
      this.controller.adoptBroker(b.id, b.incarnation);
    }
  }

  private newBroker(id: number): Broker {
    const diskSpec = { ...this.scenario.cluster.disk, ...(this.scenario.cluster.brokerDisks[String(id)] ?? {}) };
    const disk = new Disk(this.kernel, diskSpec, this.trace, id, logDirs(this.scenario.cluster.config['log.dirs'] as string));
    const cluster = this.scenario.cluster;
    const machine = cluster.machines[String(id)] ?? cluster.machine;
    const c = cluster.config;
    const requests = new RequestHandling(new Cpu(machine.cores), {
      networkThreads: c['num.network.threads'] as number,
      ioThreads: c['num.io.threads'] as number,
      queuedMaxRequests: c['queued.max.requests'] as number,
    });
    const b = new Broker(this.kernel, id, this.net, disk, this.trace, this.brokerCfg!, this.flushPeriodUs(), requests, machine.nicBytesPerSec);
    this.brokers.set(id, b);
    return b;
  }

  /** What each node's resources were busy with: brokers (NIC, disk, cores, threads), then the clients' NICs, the producers' compression and connections, and the consumers' processing. */
  /** Each broker's log directories (log.dirs) with the partitions they hold and their disks' utilization; none with one directory. */
  logDirs(): LogDirUse[] {
    const dirs = logDirs(this.scenario.cluster.config['log.dirs'] as string);
    if (dirs.length <= 1) return [];
    const runUs = this.kernel.now;
    const out: LogDirUse[] = [];
    for (const b of this.brokers.values()) {
      const busy = b.disk.deviceBusy();
      const held = dirs.map(() => [] as string[]);
      for (const log of b.logs.values()) held[log.dir].push(log.tp);
      dirs.forEach((dir, i) => {
        const failed = b.disk.failed(i) ? { failed: true as const } : {};
        out.push({ broker: b.id, dir, partitions: held[i].sort(byPartition), diskWrite: busyShare(busy[i].writeUs, runUs), diskRead: busyShare(busy[i].readUs, runUs), ...failed });
      });
    }
    return out;
  }

  /** A broker's busiest disk, writing and reading; with several log directories, which ones. */
  private diskBusy(disk: Disk): NonNullable<NodeBusy['disk']> {
    if (disk.dirCount === 1) return { writeUs: disk.writeBusyUs, readUs: disk.readBusyUs };
    const dirs = logDirs(this.scenario.cluster.config['log.dirs'] as string);
    const busy = disk.deviceBusy();
    const most = (k: 'writeUs' | 'readUs') => busy.reduce((best, d, i) => (d[k] > busy[best]![k] ? i : best), 0);
    const w = most('writeUs');
    const r = most('readUs');
    return { writeUs: busy[w]!.writeUs, readUs: busy[r]!.readUs, writeDir: dirs[w], readDir: dirs[r] };
  }

  nodeBusy(): NodeBusy[] {
    const out: NodeBusy[] = [];
    for (const b of this.brokers.values()) {
      const nic = this.net.nicBusyUs(b.node);
      const r = b.requests;
      out.push({
        node: b.node,
        nicTxUs: nic.tx,
        nicRxUs: nic.rx,
        disk: this.diskBusy(b.disk),
        cpu: { busyUs: r.cpu.cores.busyUs, cores: r.cpu.cores.size },
        threads: { networkUs: r.network.busyUs, network: r.network.size, ioUs: r.io.busyUs, io: r.io.size, queueFullUs: r.fullUs },
      });
    }
    for (const p of this.producers.values()) {
      const nic = this.net.nicBusyUs(p.node);
      out.push({
        node: p.node,
        nicTxUs: nic.tx,
        nicRxUs: nic.rx,
        ...(p.compressBusyUs > 0 ? { cpu: { busyUs: p.compressBusyUs, cores: 1 } } : {}),
        connectionUs: this.net.connectionHeldUs(p.node),
      });
    }
    for (const c of this.consumers.values()) {
      const nic = this.net.nicBusyUs(c.node);
      out.push({ node: c.node, nicTxUs: nic.tx, nicRxUs: nic.rx, processingUs: c.processingBusyUs });
    }
    return out;
  }

  /**
   * A new machine joins the cluster (the `addBroker` fault): its broker starts with no logs, registers with
   * the controller (BrokerRegistration), catches up with the metadata and is unfenced. It hosts nothing
   * until a reassignment or new partitions place replicas on it.
   */
  addBroker(id: number): void {
    this.newBroker(id).start();
  }

  /** ClusterControlManager.placeReplicas for new partitions: StripedReplicaPlacer from the `placement` stream, with broker.rack. */
  placeReplicas(brokers: UsableBroker[], partitions: number, rf: number): number[][] {
    const racks = this.scenario.cluster.racks;
    return placeReplicas(
      brokers.map((b) => ({ ...b, rack: racks[String(b.id)] })),
      partitions,
      rf,
      this.streams.get('placement'),
    );
  }

  /** How often brokers look for logs past their flush.ms (the smallest flush.ms of any topic). */
  private flushPeriodUs(): number {
    let min = Infinity;
    for (const t of this.topics) min = Math.min(min, num(this.topicConfig(t.name), 'flush.ms'));
    // flush.ms 0 means "every check": the check still runs at most once per millisecond.
    return min >= Number.MAX_SAFE_INTEGER ? Infinity : Math.max(1, min) * 1000;
  }

  // ---- running -------------------------------------------------------------------------------

  /** End the run now (also at the scenario's duration): producers' due records are counted, `end` is emitted. */
  stop(): void {
    if (this.ended) return;
    this.ended = true;
    for (const p of this.producers.values()) p.finish();
    this.trace.emit({ type: 'end', t: this.kernel.now });
  }

  get done(): boolean {
    return this.ended;
  }

  /** Fire one kernel event. Returns false once the run is over. */
  step(): boolean {
    if (this.ended) return false;
    this.kernel.step();
    return !this.ended;
  }

  /** Run to virtual time `tUs` (or the end). */
  runUntil(tUs: number): void {
    while (!this.ended && this.kernel.peekTime() <= tUs) this.kernel.step();
  }

  /** Run to the end of the scenario. */
  run(): void {
    while (!this.ended && this.kernel.step());
    this.stop();
  }

  /** The summary of a finished run. */
  summary(): RunSummary {
    return summarize(this);
  }
}

function memo<T>(fn: (k: string) => T): (k: string) => T {
  const cache = new Map<string, T>();
  return (k) => {
    let v = cache.get(k);
    if (v === undefined) {
      v = fn(k);
      cache.set(k, v);
    }
    return v;
  };
}

export function createSimulation(scenario: Scenario, opts: SimulationOptions = {}): Simulation {
  return new Simulation(scenario, opts);
}

/** Run a scenario to the end and return its summary (no trace kept unless a sink is given). */
export function simulate(scenario: Scenario, opts: SimulationOptions = {}): RunSummary {
  const sim = new Simulation(scenario, opts);
  sim.run();
  return sim.summary();
}

/** Topic-partitions by topic, then partition number (`t-2` before `t-10`). */
function byPartition(a: string, b: string): number {
  const i = a.lastIndexOf('-');
  const j = b.lastIndexOf('-');
  const ta = a.slice(0, i);
  const tb = b.slice(0, j);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return Number(a.slice(i + 1)) - Number(b.slice(j + 1));
}
