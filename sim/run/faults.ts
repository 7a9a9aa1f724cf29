/**
 * The fault schedule of a run: each fault at its time resolves its targets (roles such as "leader of
 * t-0" are read from the controller's metadata then) to node names, and crashes, restarts, shuts down,
 * pauses or resumes processes, slows or restores disks, or cuts and heals network links.
 */
import type { Broker } from '../kafka/broker/broker.js';
import type { Consumer } from '../kafka/clients/consumer.js';
import type { Controller } from '../kafka/controller/controller.js';
import { tpName } from '../kafka/metadata.js';
import { OFFSETS_TOPIC, offsetsPartitionFor } from '../kafka/group/messages.js';
import type { Producer } from '../kafka/clients/producer.js';
import type { Kernel } from '../kernel/kernel.js';
import type { UsableBroker } from '../kafka/placement.js';
import type { Network } from '../resources/network.js';
import type { FaultSpec, Target } from '../scenario/types.js';
import type { Trace } from '../trace/bus.js';

/** What faults act on: the run's processes and network (a `Simulation` has these). */
export interface FaultTargets {
  readonly kernel: Kernel;
  readonly trace: Trace;
  readonly net: Network;
  readonly controller: Controller;
  readonly brokers: ReadonlyMap<number, Broker>;
  readonly producers: ReadonlyMap<string, Producer>;
  readonly consumers: ReadonlyMap<string, Consumer>;
  /** offsets.topic.num.partitions (where group coordinators are). */
  readonly offsetsPartitions: number;
  /** Whether the run has ended (faults after the end do nothing). */
  readonly done: boolean;
  /** Create and start broker `id` (a new machine joining the cluster). */
  addBroker(id: number): void;
  /** StripedReplicaPlacer over these brokers, from the run's placement stream and racks. */
  placeReplicas(brokers: UsableBroker[], partitions: number, rf: number): number[][];
}

/** Why a fault could not take effect on a node, or what it waits for; undefined when it took effect. */
type Outcome = { rejected?: string; pending?: string } | undefined;

export class Faults {
  /** Node names each `as:` label resolved to. */
  private readonly labels = new Map<string, string[]>();
  /** Brokers with a restart waiting for their controlled shutdown to end. */
  private readonly pendingRestarts = new Set<string>();

  constructor(private readonly sim: FaultTargets) {}

  /** Schedule every fault at its time, in the given order. */
  schedule(faults: readonly FaultSpec[]): void {
    for (const f of faults) this.sim.kernel.at(f.atUs, () => this.apply(f));
  }

  /** Resolve a target to node names, at the fault's time. */
  private resolve(t: Target): string[] {
    switch (t.kind) {
      case 'broker':
        return [`b${t.id}`];
      case 'controller':
        return ['ctl'];
      case 'allBrokers':
        return [...this.sim.brokers.keys()].map((b) => `b${b}`);
      case 'rack':
        return t.brokers.map((b) => `b${b}`);
      case 'producer':
        return [`p:${t.name}`];
      case 'consumer':
        return [`c:${t.name}`];
      case 'label':
        return this.labels.get(t.label) ?? [];
      case 'coordinator': {
        const p = this.sim.controller.image.partitions[`${OFFSETS_TOPIC}-${offsetsPartitionFor(t.group, this.sim.offsetsPartitions)}`];
        return p !== undefined && p.leader >= 0 ? [`b${p.leader}`] : [];
      }
      case 'leader':
      case 'follower':
      case 'followers': {
        const p = this.sim.controller.image.partitions[tpName(t.topic, t.partition)];
        if (t.kind === 'leader') return p.leader >= 0 ? [`b${p.leader}`] : [];
        const others = p.replicas.filter((b) => b !== p.leader).map((b) => `b${b}`);
        return t.kind === 'follower' ? others.slice(0, 1) : others;
      }
    }
  }

  /**
   * Apply a fault now: resolve its targets, act on them, remember its label, and trace it. A fault
   * that cannot take effect on a target is traced as rejected (with why), one that must wait (a
   * restart of a broker still shutting down) as pending: a fault never silently does nothing.
   */
  apply(f: FaultSpec): void {
    if (this.sim.done) return;
    let targets: string[] = [];
    const rejected: string[] = [];
    const pending: string[] = [];
    switch (f.verb) {
      case 'partition':
      case 'heal':
        targets = this.applyLinks(f);
        break;
      case 'healAll':
        targets = this.healAll(f, rejected, pending);
        break;
      case 'electLeaders':
        targets = ['ctl'];
        rejected.push(...this.electLeaders(f));
        break;
      case 'createPartitions':
      case 'addBroker':
      case 'reassign':
      case 'unregisterBroker':
        targets = f.verb === 'addBroker' ? [`b${f.id}`] : ['ctl'];
        rejected.push(...this.adminRequest(f));
        break;
      default:
        targets = this.resolve(f.target);
        if (targets.length === 0) rejected.push('no target (nothing matched it now)');
        for (const node of targets) {
          const outcome = this.applyNodeFault(f, node);
          if (outcome?.rejected !== undefined) rejected.push(`${node} ${outcome.rejected}`);
          if (outcome?.pending !== undefined) pending.push(`${node} ${outcome.pending}`);
        }
    }
    if ('as' in f && f.as !== undefined) this.labels.set(f.as, targets);
    this.sim.trace.emit({
      type: 'fault',
      t: this.sim.kernel.now,
      verb: f.verb,
      text: f.text,
      targets,
      ...(rejected.length > 0 ? { rejected: rejected.join('; ') } : {}),
      ...(pending.length > 0 ? { pending: pending.join('; ') } : {}),
    });
  }

  /** Act on one node; say why not if the fault cannot take effect on it, or what it waits for. */
  private applyNodeFault(f: FaultSpec, node: string): Outcome {
    const broker = node.startsWith('b') ? this.sim.brokers.get(Number(node.slice(1))) : undefined;
    const client = this.sim.producers.get(node.slice(2)) ?? this.sim.consumers.get(node.slice(2));
    const proc = broker ?? (node === 'ctl' ? this.sim.controller : node.startsWith('p:') ? this.sim.producers.get(node.slice(2)) : this.sim.consumers.get(node.slice(2)));
    if (proc === undefined) return { rejected: 'does not exist' };
    switch (f.verb) {
      case 'crash':
        return this.crash(node, f.mode, broker, client);
      case 'restart':
        return this.restart(node, proc, broker);
      case 'shutdown':
        if (broker !== undefined) {
          if (!broker.alive) return { rejected: 'is already down' };
          if (broker.shuttingDown) return { rejected: 'is already shutting down' };
          if (broker.state !== 'running') return { rejected: `is ${broker.state} (a controlled shutdown needs a running broker)` };
          broker.shutdown();
        } else if (client !== undefined) {
          if (!client.alive) return { rejected: 'is already down' };
          if ('shutdown' in client) client.shutdown();
          else client.crash();
        } else return { rejected: 'has no controlled shutdown (only brokers and clients do)' };
        return undefined;
      case 'pause':
        if (proc.state !== 'running') return { rejected: `is ${proc.state} (only a running process can be paused)` };
        proc.pause();
        return undefined;
      case 'resume':
        if (proc.state !== 'paused') return { rejected: `is ${proc.state}, not paused` };
        proc.resume();
        return undefined;
      case 'slowDisk':
      case 'restoreDisk':
        if (broker === undefined) return { rejected: 'has no disk (only brokers do)' };
        broker.disk.setSlow(f.verb === 'slowDisk' ? f.factor : 1, f.dir);
        return undefined;
      case 'failDisk':
        if (broker === undefined) return { rejected: 'has no disk (only brokers do)' };
        return this.failDisk(broker, f.dir);
      case 'replaceDisk':
        if (broker === undefined) return { rejected: 'has no disk (only brokers do)' };
        return this.replaceDisk(node, broker, f.dir);
    }
  }

  /** failDisk: one log directory's disk, or every disk of the broker (which then halts). */
  private failDisk(broker: Broker, dir: number | undefined): Outcome {
    const dirs = dirsOf(broker, dir).filter((d) => !broker.disk.failed(d));
    if (dirs.length === 0) return { rejected: dir === undefined ? 'has no disk left to fail' : 'has that disk failed already' };
    for (const d of dirs) broker.failDisk(d);
    return undefined;
  }

  /**
   * replaceDisk: the operator puts a new, empty, formatted disk where one failed and starts the broker with
   * it (Kafka reads log.dirs only at startup): a running broker first shuts down (controlled), a stopped
   * or crashed one starts.
   */
  private replaceDisk(node: string, broker: Broker, dir: number | undefined): Outcome {
    const dirs = dirsOf(broker, dir).filter((d) => broker.disk.failed(d));
    if (dirs.length === 0) return { rejected: dir === undefined ? 'has no failed disk' : 'has that disk working (only a failed disk is replaced)' };
    if (broker.state === 'paused') return { rejected: 'is paused (resume it first)' };
    for (const d of dirs) broker.replaceDisk(d);
    if (broker.state === 'running' && !broker.shuttingDown) broker.shutdown();
    return this.restart(node, broker, broker);
  }

  /**
   * An Admin ElectLeaders request (PREFERRED) at the controller, as kafka-leader-election sends it: the
   * partitions it names, or every partition. What could not be elected is returned, as the tool prints it.
   */
  private electLeaders(f: Extract<FaultSpec, { verb: 'electLeaders' }>): string[] {
    const ctl = this.sim.controller;
    if (!ctl.alive) return ['ctl is down (ElectLeaders needs the active controller)'];
    const all = ctl.replicationControl.sortedTps();
    const tps = f.partition !== undefined ? [tpName(f.topic!, f.partition)] : f.topic !== undefined ? all.filter((tp) => ctl.image.partitions[tp].topic === f.topic) : all;
    const results = ctl.replicationControl.electPreferred(tps);
    const failed = [...results].filter(([, r]) => r === 'PREFERRED_LEADER_NOT_AVAILABLE').map(([tp]) => tp);
    return failed.length > 0 ? [`PREFERRED_LEADER_NOT_AVAILABLE for ${failed.join(', ')} (the preferred replica is not in the ISR or not active)`] : [];
  }

  /**
   * An admin request at the controller (CreatePartitions, AlterPartitionReassignments, UnregisterBroker) or
   * a new broker joining. What failed is returned, as the tools print Kafka's errors.
   */
  private adminRequest(f: Extract<FaultSpec, { verb: 'createPartitions' | 'addBroker' | 'reassign' | 'unregisterBroker' }>): string[] {
    const ctl = this.sim.controller;
    if (f.verb === 'addBroker') {
      this.sim.addBroker(f.id);
      return [];
    }
    if (!ctl.alive) return ['ctl is down (the request needs the active controller)'];
    if (f.verb === 'unregisterBroker') return optional(ctl.clusterControl.unregisterBroker(f.id));
    if (f.verb === 'createPartitions') return optional(ctl.replicationControl.createPartitions(f.topic, f.increaseTo, (b, n, rf) => this.sim.placeReplicas(b, n, rf)));
    // kafka-reassign-partitions --throttle sets the rates on every broker of the moving partitions before it starts them.
    if (f.throttleBytesPerSec !== undefined) {
      const involved = new Set<number>();
      for (const x of f.targets) for (const b of [...(ctl.image.partitions[x.tp]?.replicas ?? []), ...x.replicas]) involved.add(b);
      ctl.replicationControl.setThrottledRate(
        [...involved].sort((a, b) => a - b),
        f.throttleBytesPerSec,
      );
    }
    const errors: string[] = [];
    for (const x of f.targets) errors.push(...optional(ctl.replicationControl.alterPartitionReassignment(x.tp, x.replicas)));
    return errors;
  }

  private crash(node: string, mode: 'process' | 'power', broker: Broker | undefined, client: Producer | Consumer | undefined): Outcome {
    if (broker !== undefined) {
      // A power loss of a machine whose broker is already down still loses its page cache.
      if (!broker.alive && !(mode === 'power' && broker.machineUp)) return { rejected: 'is already down' };
      if (!broker.alive) broker.losePageCache();
      broker.crash(mode);
      if (mode === 'power') broker.machineUp = false;
      else this.sim.net.processDied(node);
    } else if (node === 'ctl') {
      if (!this.sim.controller.alive) return { rejected: 'is already down' };
      this.sim.controller.crash();
      this.sim.net.processDied(node);
    } else if (client !== undefined) {
      if (!client.alive) return { rejected: 'is already down' };
      client.crash();
      this.sim.net.processDied(node);
    }
    return undefined;
  }

  /**
   * Start a stopped process. A broker still in its controlled shutdown is started as soon as it has
   * stopped (stop, then start, as `systemctl restart` does); a running one cannot be restarted.
   */
  private restart(node: string, proc: Broker | Controller | Producer | Consumer, broker: Broker | undefined): Outcome {
    if (proc.alive && broker?.shuttingDown === true) {
      if (this.pendingRestarts.has(node)) return { rejected: 'already has a restart pending' };
      this.pendingRestarts.add(node);
      broker.whenStopped(() => {
        this.pendingRestarts.delete(node);
        if (!this.sim.done && !broker.alive) this.start(node, broker);
      });
      return { pending: 'is still shutting down: it starts once it has stopped' };
    }
    if (proc.alive) return { rejected: `is ${proc.state} (restart starts a stopped process)` };
    const problem = broker?.startProblem();
    if (problem !== undefined) return { rejected: problem };
    this.start(node, proc);
    return undefined;
  }

  private start(node: string, proc: Broker | Controller | Producer | Consumer): void {
    const wasPoweredOff = !proc.machineUp;
    proc.machineUp = true;
    // After a power loss the machine comes back with none of its connections: peers still waiting
    // on one get a reset at their next packet.
    if (wasPoweredOff) this.sim.net.processDied(node);
    proc.start();
  }

  /**
   * Heal everything (the start of a scenario's liveness phase): every cut link comes back, every slow
   * disk is restored, every failed disk is replaced (a running broker without it restarts to use it),
   * every paused process resumes and every stopped or crashed one starts again (brokers, the controller,
   * clients). Returns the nodes it acted on.
   */
  private healAll(f: FaultSpec, rejected: string[], pending: string[]): string[] {
    const acted: string[] = [];
    for (const [from, to] of this.sim.net.cutLinks()) this.sim.net.setLink(from, to, true);
    const nodes: Array<[string, Broker | Controller | Producer | Consumer]> = [
      ...[...this.sim.brokers].map(([id, b]): [string, Broker] => [`b${id}`, b]),
      ['ctl', this.sim.controller],
      ...[...this.sim.producers].map(([n, p]): [string, Producer] => [`p:${n}`, p]),
      ...[...this.sim.consumers].map(([n, c]): [string, Consumer] => [`c:${n}`, c]),
    ];
    for (const [node, proc] of nodes) {
      const broker = node.startsWith('b') ? (proc as Broker) : undefined;
      if (broker?.disk.slowed) {
        broker.disk.setSlow(1);
        acted.push(node);
      }
      if (broker !== undefined && broker.disk.failedCount > 0 && proc.state !== 'paused') {
        // replaceDisk without dir: every failed disk, then the broker (re)starts with them.
        const outcome = this.replaceDisk(node, broker, undefined);
        if (outcome?.rejected !== undefined) rejected.push(`${node} ${outcome.rejected}`);
        if (outcome?.pending !== undefined) pending.push(`${node} ${outcome.pending}`);
        acted.push(node);
        continue;
      }
      const verb = proc.state === 'paused' ? 'resume' : !proc.alive || broker?.shuttingDown === true ? 'restart' : undefined;
      if (verb === undefined) continue;
      const outcome = this.applyNodeFault({ atUs: f.atUs, verb, target: { kind: 'allBrokers' }, text: f.text }, node);
      if (outcome?.rejected !== undefined) rejected.push(`${node} ${outcome.rejected}`);
      if (outcome?.pending !== undefined) pending.push(`${node} ${outcome.pending}`);
      if (!acted.includes(node)) acted.push(node);
    }
    return acted;
  }

  private applyLinks(f: Extract<FaultSpec, { verb: 'partition' | 'heal' }>): string[] {
    const up = f.verb === 'heal';
    const all = this.sim.net.nodes();
    if (f.isolate === undefined && f.between === undefined) {
      // heal: all
      for (const [from, to] of this.sim.net.cutLinks()) this.sim.net.setLink(from, to, true);
      return [];
    }
    if (f.isolate !== undefined) {
      const inside = this.resolve(f.isolate);
      for (const a of inside) {
        for (const b of all) {
          if (inside.includes(b)) continue;
          this.sim.net.setLink(a, b, up);
          this.sim.net.setLink(b, a, up);
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
        this.sim.net.setLink(x, y, up);
        if (!g.oneWay) this.sim.net.setLink(y, x, up);
      }
    }
    return [...a, ...b];
  }
}

/** The log directories a disk fault names: `dir`, or every one of the broker's. */
function dirsOf(broker: Broker, dir: number | undefined): number[] {
  return dir !== undefined ? [dir] : Array.from({ length: broker.disk.dirCount }, (_, d) => d);
}

function optional(error: string | undefined): string[] {
  return error === undefined ? [] : [error];
}
