/**
 * Assembles a run from a scenario: the kernel, named random streams, network, disks, brokers, the
 * controller, clients and the fault schedule. `createSimulation` gives a steppable run (the visualizer
 * and tests drive it); `simulate` runs it to the end and returns a summary.
 */
import { Broker, type BrokerConfig } from '../kafka/broker/broker.js';
import { Checker } from '../checks/checks.js';
import { effectiveTopicConfig } from '../config/config.js';
import { Consumer } from '../kafka/clients/consumer.js';
import { Controller } from '../kafka/controller/controller.js';
import { Disk } from '../resources/disk.js';
import { Kernel } from '../kernel/kernel.js';
import { tpName, type MetadataImage, type PartitionState } from '../kafka/metadata.js';
import { Metrics } from '../kafka/clients/metrics.js';
import { Network } from '../resources/network.js';
import { placeReplicas } from '../kafka/placement.js';
import { Producer } from '../kafka/clients/producer.js';
import { Streams } from '../kernel/random.js';
import type { ConfigMap, FaultSpec, Scenario, Target } from '../scenario/types.js';
import { summarize, type RunSummary } from '../report/summary.js';
import { Timeline } from '../report/timeline.js';
import { TRACE_SCHEMA_VERSION, type TopicInfo, type TraceSink } from '../trace/events.js';
import { Trace } from '../trace/bus.js';

export interface SimulationOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Extra trace sinks (an NDJSON writer, an array for the visualizer). */
  sinks?: TraceSink[];
}

const num = (c: ConfigMap, k: string): number => c[k] as number;
const bool = (c: ConfigMap, k: string): boolean => c[k] === true;

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
  readonly checker = new Checker();
  readonly timeline = new Timeline();
  readonly topics: TopicInfo[];
  private readonly labels = new Map<string, string[]>();
  private nextPid = 1000;
  private ended = false;

  constructor(readonly scenario: Scenario, opts: SimulationOptions = {}) {
    this.seed = opts.seed ?? scenario.seed;
    this.streams = new Streams(this.seed);
    this.trace = new Trace(this.checker, this.timeline, opts.sinks ?? []);
    const cluster = scenario.cluster;
    this.net = new Network(this.kernel, this.streams.get('network'), cluster.network, this.trace);
    this.topics = this.placeTopics();
    const image = this.initialImage();
    this.controller = new Controller(this.kernel, this.net, this.trace, {
      brokerSessionTimeoutMs: this.sessionTimeoutMs(),
      autoLeaderRebalanceEnable: bool(cluster.config, 'auto.leader.rebalance.enable'),
      leaderImbalanceCheckIntervalSec: num(cluster.config, 'leader.imbalance.check.interval.seconds'),
      elrEnabled: cluster.behaviour.eligibleLeaderReplicas && num(cluster.config, 'eligible.leader.replicas.version') >= 1,
    }, image);
    this.emitHeader();
    this.createBrokers(image);
    this.createClients();
    for (const f of scenario.faults) this.kernel.at(f.atUs, () => this.applyFault(f));
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
    const t = this.scenario.topics.find((x) => x.name === name)!;
    return effectiveTopicConfig(this.scenario.cluster.config, t.config);
  }

  private placeTopics(): TopicInfo[] {
    const rng = this.streams.get('placement');
    return this.scenario.topics.map((t) => {
      const tc = this.topicConfig(t.name);
      return {
        name: t.name,
        partitions: t.partitions,
        replicationFactor: t.replicationFactor,
        replicas: t.replicaAssignment ?? placeReplicas(this.scenario.cluster.brokers, t.partitions, t.replicationFactor, rng),
        minInsyncReplicas: num(tc, 'min.insync.replicas'),
        uncleanLeaderElectionEnable: bool(tc, 'unclean.leader.election.enable'),
      };
    });
  }

  private initialImage(): MetadataImage {
    const img: MetadataImage = { version: 1, brokers: {}, topics: {}, partitions: {} };
    let epoch = 1;
    for (const b of this.scenario.cluster.brokers) img.brokers[b] = { id: b, epoch: epoch++, fenced: false, inControlledShutdown: false };
    for (const t of this.topics) {
      img.topics[t.name] = { name: t.name, partitions: t.partitions, minInsyncReplicas: t.minInsyncReplicas, uncleanLeaderElectionEnable: t.uncleanLeaderElectionEnable };
      t.replicas.forEach((replicas, p) => {
        const st: PartitionState = { topic: t.name, partition: p, tp: tpName(t.name, p), replicas, leader: replicas[0], leaderEpoch: 0, isr: [...replicas], elr: [], partitionEpoch: 0 };
        img.partitions[st.tp] = st;
      });
    }
    return img;
  }

  private emitHeader(): void {
    const s = this.scenario;
    this.trace.emit({
      type: 'header', t: 0, schema: TRACE_SCHEMA_VERSION, scenario: s.name, seed: this.seed, kafkaVersion: s.cluster.kafkaVersion,
      durationUs: s.durationUs, brokers: [...s.cluster.brokers], topics: this.topics,
      producers: s.producers.map((p) => ({ name: p.name, topic: p.topic, acks: num(p.config, 'acks'), idempotence: bool(p.config, 'enable.idempotence') })),
      consumers: s.consumers.map((c) => ({ name: c.name, topic: c.topic })),
    });
  }

  private createBrokers(image: MetadataImage): void {
    const c = this.scenario.cluster.config;
    const cfg: BrokerConfig = {
      replicaLagTimeMaxMs: num(c, 'replica.lag.time.max.ms'),
      replicaFetchWaitMaxMs: num(c, 'replica.fetch.wait.max.ms'),
      replicaFetchMinBytes: num(c, 'replica.fetch.min.bytes'),
      replicaFetchMaxBytes: num(c, 'replica.fetch.max.bytes'),
      replicaFetchResponseMaxBytes: num(c, 'replica.fetch.response.max.bytes'),
      replicaFetchBackoffMs: num(c, 'replica.fetch.backoff.ms'),
      replicaSocketTimeoutMs: 30_000,
      brokerHeartbeatIntervalMs: this.heartbeatIntervalMs(),
      flushMessages: (topic) => num(this.topicConfig(topic), 'flush.messages'),
      flushMs: (topic) => num(this.topicConfig(topic), 'flush.ms'),
      minIsr: (topic) => image.topics[topic].minInsyncReplicas,
      hwFrozenUnderMinIsr: this.scenario.cluster.behaviour.hwFrozenUnderMinIsr,
      truncation: this.scenario.cluster.behaviour.truncation,
    };
    // Per-topic lookups are cached: they sit on the append path.
    cfg.flushMessages = memo(cfg.flushMessages);
    cfg.flushMs = memo(cfg.flushMs);
    for (const id of this.scenario.cluster.brokers) {
      const diskSpec = { ...this.scenario.cluster.disk, ...(this.scenario.cluster.brokerDisks[String(id)] ?? {}) };
      const disk = new Disk(this.kernel, diskSpec, this.trace, id);
      const b = new Broker(this.kernel, id, this.net, disk, this.trace, cfg, this.flushPeriodUs());
      this.brokers.set(id, b);
    }
    this.controller.start();
    for (const b of this.brokers.values()) {
      b.start({ image, brokerEpoch: image.brokers[b.id].epoch });
      this.controller.adoptBroker(b.id, b.incarnation);
    }
  }

  /** How often brokers look for logs past their flush.ms (the smallest flush.ms of any topic). */
  private flushPeriodUs(): number {
    let min = Infinity;
    for (const t of this.topics) min = Math.min(min, num(this.topicConfig(t.name), 'flush.ms'));
    return min >= Number.MAX_SAFE_INTEGER ? Infinity : min * 1000;
  }

  private createClients(): void {
    const brokers = [...this.scenario.cluster.brokers];
    for (const p of this.scenario.producers) {
      const c = p.config;
      const topic = this.topics.find((t) => t.name === p.topic)!;
      const prod = new Producer(this.kernel, p.name, this.net, this.trace, this.metrics, {
        acks: num(c, 'acks'),
        idempotence: bool(c, 'enable.idempotence'),
        lingerMs: num(c, 'linger.ms'),
        batchSize: num(c, 'batch.size'),
        bufferMemory: num(c, 'buffer.memory'),
        maxInFlight: num(c, 'max.in.flight.requests.per.connection'),
        requestTimeoutMs: num(c, 'request.timeout.ms'),
        deliveryTimeoutMs: num(c, 'delivery.timeout.ms'),
        retries: num(c, 'retries'),
        retryBackoffMs: num(c, 'retry.backoff.ms'),
        retryBackoffMaxMs: num(c, 'retry.backoff.max.ms'),
        metadataMaxAgeMs: num(c, 'metadata.max.age.ms'),
        maxRequestSize: 1_048_576,
        partitionerIgnoreKeys: bool(c, 'partitioner.ignore.keys'),
        adaptivePartitioning: bool(c, 'partitioner.adaptive.partitioning.enable'),
      }, {
        topic: p.topic, ratePerSec: p.ratePerSec, recordBytes: p.recordBytes, keys: p.keys, startUs: p.startUs,
        stopUs: p.stopUs ?? Infinity, maxRecords: p.maxRecords ?? Infinity,
      }, topic.partitions, brokers, {
        keys: this.streams.get(`producer:${p.name}:keys`),
        partitioner: this.streams.get(`producer:${p.name}:partitioner`),
        backoff: this.streams.get(`producer:${p.name}:backoff`),
        reconnect: this.streams.get(`producer:${p.name}:reconnect`),
      }, () => this.nextPid++);
      this.producers.set(p.name, prod);
      prod.start();
    }
    for (const c of this.scenario.consumers) {
      const cc = c.config;
      const topic = this.topics.find((t) => t.name === c.topic)!;
      const partitions = c.partitions ?? Array.from({ length: topic.partitions }, (_, i) => i);
      const cons = new Consumer(this.kernel, c.name, this.net, this.trace, this.metrics, {
        fetchMinBytes: num(cc, 'fetch.min.bytes'),
        fetchMaxWaitMs: num(cc, 'fetch.max.wait.ms'),
        fetchMaxBytes: num(cc, 'fetch.max.bytes'),
        maxPartitionFetchBytes: num(cc, 'max.partition.fetch.bytes'),
        requestTimeoutMs: num(cc, 'request.timeout.ms'),
        retryBackoffMs: num(cc, 'retry.backoff.ms'),
        metadataMaxAgeMs: num(cc, 'metadata.max.age.ms'),
        autoOffsetReset: cc['auto.offset.reset'] as 'earliest' | 'latest' | 'none',
        truncationDetection: this.scenario.cluster.behaviour.consumerTruncationDetection,
      }, c.topic, partitions, c.from, brokers, this.streams.get(`consumer:${c.name}:reconnect`));
      this.consumers.set(c.name, cons);
      this.kernel.at(c.startUs, () => cons.start());
    }
  }

  // ---- faults --------------------------------------------------------------------------------

  /** Resolve a target to node names, at the fault's time. */
  private resolve(t: Target): string[] {
    switch (t.kind) {
      case 'broker':
        return [`b${t.id}`];
      case 'controller':
        return ['ctl'];
      case 'allBrokers':
        return [...this.brokers.keys()].map((b) => `b${b}`);
      case 'producer':
        return [`p:${t.name}`];
      case 'consumer':
        return [`c:${t.name}`];
      case 'label':
        return this.labels.get(t.label) ?? [];
      case 'leader':
      case 'follower':
      case 'followers': {
        const p = this.controller.image.partitions[tpName(t.topic, t.partition)];
        if (t.kind === 'leader') return p.leader >= 0 ? [`b${p.leader}`] : [];
        const others = p.replicas.filter((b) => b !== p.leader).map((b) => `b${b}`);
        return t.kind === 'follower' ? others.slice(0, 1) : others;
      }
    }
  }

  private applyFault(f: FaultSpec): void {
    if (this.ended) return;
    let targets: string[] = [];
    switch (f.verb) {
      case 'partition':
      case 'heal':
        targets = this.applyLinks(f);
        break;
      default:
        targets = this.resolve(f.target);
        for (const node of targets) this.applyNodeFault(f, node);
    }
    if ('as' in f && f.as !== undefined) this.labels.set(f.as, targets);
    this.trace.emit({ type: 'fault', t: this.kernel.now, verb: f.verb, text: f.text, targets });
  }

  private applyNodeFault(f: FaultSpec, node: string): void {
    const broker = node.startsWith('b') ? this.brokers.get(Number(node.slice(1))) : undefined;
    const client = this.producers.get(node.slice(2)) ?? this.consumers.get(node.slice(2));
    const proc = broker ?? (node === 'ctl' ? this.controller : node.startsWith('p:') ? this.producers.get(node.slice(2)) : this.consumers.get(node.slice(2)));
    if (proc === undefined) return;
    switch (f.verb) {
      case 'crash':
        if (broker !== undefined) {
          if (!broker.alive && f.mode === 'power' && broker.machineUp) broker.losePageCache();
          broker.crash(f.mode);
          if (f.mode === 'power') broker.machineUp = false;
          else this.net.processDied(node);
        } else if (node === 'ctl') {
          this.controller.crash();
          this.net.processDied(node);
        } else if (client !== undefined) {
          client.crash();
          this.net.processDied(node);
        }
        return;
      case 'restart': {
        if (proc.alive) return;
        const wasPoweredOff = !proc.machineUp;
        proc.machineUp = true;
        // After a power loss the machine comes back with none of its connections: peers still waiting
        // on one get a reset at their next packet.
        if (wasPoweredOff) this.net.processDied(node);
        if (broker !== undefined) broker.start();
        else if (node === 'ctl') this.controller.start();
        else if (client instanceof Producer) client.start();
        else if (client instanceof Consumer) client.start();
        return;
      }
      case 'shutdown':
        if (broker !== undefined) broker.shutdown();
        else if (client !== undefined) client.crash();
        return;
      case 'pause':
        proc.pause();
        return;
      case 'resume':
        proc.resume();
        return;
      case 'slowDisk':
        if (broker !== undefined) broker.disk.slowFactor = f.factor;
        return;
      case 'restoreDisk':
        if (broker !== undefined) broker.disk.slowFactor = 1;
        return;
    }
  }

  private applyLinks(f: Extract<FaultSpec, { verb: 'partition' | 'heal' }>): string[] {
    const up = f.verb === 'heal';
    const all = this.net.nodes();
    if (f.isolate === undefined && f.between === undefined) {
      // heal: all
      for (const [from, to] of this.net.cutLinks()) this.net.setLink(from, to, true);
      return [];
    }
    if (f.isolate !== undefined) {
      const inside = this.resolve(f.isolate);
      for (const a of inside) {
        for (const b of all) {
          if (inside.includes(b)) continue;
          this.net.setLink(a, b, up);
          this.net.setLink(b, a, up);
        }
      }
      return inside;
    }
    const g = f.between!;
    const a = g.a.flatMap((t) => this.resolve(t));
    const b = g.b.flatMap((t) => this.resolve(t));
    for (const x of a) {
      for (const y of b) {
        if (x === y) continue;
        this.net.setLink(x, y, up);
        if (!g.oneWay) this.net.setLink(y, x, up);
      }
    }
    return [...a, ...b];
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
