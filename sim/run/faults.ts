/**
 * The fault schedule of a run: each fault at its time resolves its targets (roles such as "leader of
 * t-0" are read from the controller's metadata then) to node names, and crashes, restarts, shuts down,
 * pauses or resumes processes, slows or restores disks, or cuts and heals network links.
 */
import type { Broker } from '../kafka/broker/broker.js';
import { Consumer } from '../kafka/clients/consumer.js';
import type { Controller } from '../kafka/controller/controller.js';
import { tpName } from '../kafka/metadata.js';
import { Producer } from '../kafka/clients/producer.js';
import type { Kernel } from '../kernel/kernel.js';
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
  /** Whether the run has ended (faults after the end do nothing). */
  readonly done: boolean;
}

export class Faults {
  /** Node names each `as:` label resolved to. */
  private readonly labels = new Map<string, string[]>();

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
      case 'producer':
        return [`p:${t.name}`];
      case 'consumer':
        return [`c:${t.name}`];
      case 'label':
        return this.labels.get(t.label) ?? [];
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

  /** Apply a fault now: resolve its targets, act on them, remember its label, and trace it. */
  apply(f: FaultSpec): void {
    if (this.sim.done) return;
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
    this.sim.trace.emit({ type: 'fault', t: this.sim.kernel.now, verb: f.verb, text: f.text, targets });
  }

  private applyNodeFault(f: FaultSpec, node: string): void {
    const broker = node.startsWith('b') ? this.sim.brokers.get(Number(node.slice(1))) : undefined;
    const client = this.sim.producers.get(node.slice(2)) ?? this.sim.consumers.get(node.slice(2));
    const proc = broker ?? (node === 'ctl' ? this.sim.controller : node.startsWith('p:') ? this.sim.producers.get(node.slice(2)) : this.sim.consumers.get(node.slice(2)));
    if (proc === undefined) return;
    switch (f.verb) {
      case 'crash':
        if (broker !== undefined) {
          if (!broker.alive && f.mode === 'power' && broker.machineUp) broker.losePageCache();
          broker.crash(f.mode);
          if (f.mode === 'power') broker.machineUp = false;
          else this.sim.net.processDied(node);
        } else if (node === 'ctl') {
          this.sim.controller.crash();
          this.sim.net.processDied(node);
        } else if (client !== undefined) {
          client.crash();
          this.sim.net.processDied(node);
        }
        return;
      case 'restart': {
        if (proc.alive) return;
        const wasPoweredOff = !proc.machineUp;
        proc.machineUp = true;
        // After a power loss the machine comes back with none of its connections: peers still waiting
        // on one get a reset at their next packet.
        if (wasPoweredOff) this.sim.net.processDied(node);
        if (broker !== undefined) broker.start();
        else if (node === 'ctl') this.sim.controller.start();
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
