/**
 * The network: per-link one-way latency (a fixed part plus exponential jitter), per-node NIC bandwidth
 * in each direction (bytes take time and queue behind each other), FIFO delivery per link (as TCP),
 * and cut links (two-way or one-way partitions). A message is lost if its link is cut or its receiver
 * dies before it arrives; a receiver that is paused gets it when it resumes.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Process } from '../kernel/process.js';
import { randExp, type Stream } from '../kernel/random.js';
import type { LatencySpec, NetworkSpec } from '../scenario/types.js';
import type { Trace } from '../trace/bus.js';

interface Nic {
  proc: Process;
  /** When the transmit side is free again, µs. */
  txFreeUs: number;
  rxFreeUs: number;
  /** Outgoing links by destination, created on first use. */
  links: Map<string, Link>;
}

/** A directed link's state: cut or not, its latency, the last arrival (FIFO as TCP). */
interface Link {
  from: string;
  to: string;
  cut: boolean;
  latency: LatencySpec;
  lastArrivalUs: number;
}

export interface Envelope<P = unknown> {
  id: number;
  from: string;
  to: string;
  kind: string;
  bytes: number;
  payload: P;
  /** Receiver incarnation at send time: a restart in between breaks the connection. */
  toIncarnation: number;
  fromIncarnation: number;
  link: Link;
}

export type Receiver = (env: Envelope) => void;

/** Told when a connection to `peer` breaks: the peer's process died (TCP reset) or refused a connection. */
export type DisconnectListener = (peer: string) => void;

export class Network {
  private readonly nics = new Map<string, Nic>();
  private readonly receivers = new Map<string, Receiver>();
  private readonly disconnectListeners = new Map<string, DisconnectListener>();
  private nextId = 1;
  private readonly usPerByte: number;

  constructor(
    private readonly kernel: Kernel,
    private readonly rng: Stream,
    private readonly spec: NetworkSpec,
    private readonly trace: Trace,
  ) {
    this.usPerByte = 1e6 / spec.nicBytesPerSec;
  }

  attach(proc: Process, receive: Receiver): void {
    this.nics.set(proc.node, { proc, txFreeUs: 0, rxFreeUs: 0, links: new Map() });
    this.receivers.set(proc.node, receive);
  }

  onDisconnect(node: string, listener: DisconnectListener): void {
    this.disconnectListeners.set(node, listener);
  }

  /**
   * A process died while its machine stayed up: the OS resets its connections, and every peer
   * learns it one link latency later. (After a power loss nobody is told: requests time out.)
   */
  processDied(node: string): void {
    for (const [peer, listener] of this.disconnectListeners) {
      if (peer === node) continue;
      const p = this.nics.get(peer)!.proc;
      const inc = p.incarnation;
      const delay = this.linkLatency(node, peer).baseUs;
      this.kernel.after(delay, () => {
        if (p.incarnation === inc) p.deliver(() => listener(node));
      });
    }
  }

  private linkLatency(from: string, to: string): LatencySpec {
    return this.link(from, to).latency;
  }

  /** Node names in attach order (deterministic). */
  nodes(): string[] {
    return [...this.nics.keys()];
  }

  private link(from: string, to: string): Link {
    const nic = this.nics.get(from)!;
    let l = nic.links.get(to);
    if (l === undefined) {
      const o = this.spec.links.find((x) => x.from === from && x.to === to);
      l = { from, to, cut: false, latency: o?.latency ?? this.spec.latency, lastArrivalUs: 0 };
      nic.links.set(to, l);
    }
    return l;
  }

  isCut(from: string, to: string): boolean {
    return this.link(from, to).cut;
  }

  setLink(from: string, to: string, up: boolean): void {
    const l = this.link(from, to);
    if (l.cut === !up) return;
    l.cut = !up;
    this.trace.emit({ type: 'link', t: this.kernel.now, from, to, up });
  }

  /** Every cut link, as [from, to], in a stable order. */
  cutLinks(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const nic of this.nics.values()) for (const l of nic.links.values()) if (l.cut) out.push([l.from, l.to]);
    return out.sort((a, b) => (a[0] + '>' + a[1] < b[0] + '>' + b[1] ? -1 : 1));
  }

  /**
   * Send a message. Returns its id. The arrival time is computed now (NIC queues, latency, FIFO per
   * link); whether it arrives is decided then.
   */
  send<P>(from: string, to: string, kind: string, bytes: number, payload: P): number {
    const id = this.nextId++;
    const now = this.kernel.now;
    const src = this.nics.get(from)!;
    const dst = this.nics.get(to)!;
    const link = this.link(from, to);
    if (link.cut || !dst.proc.alive) {
      const dropped = link.cut ? 'link down' : `${to} is down`;
      this.trace.emit({ type: 'msg', t: now, id, from, to, kind, bytes, recvUs: now, dropped });
      // Connecting to a machine that is up but whose process is down is refused at once.
      if (!link.cut && dst.proc.machineUp) this.refuse(src.proc, from, to);
      return id;
    }
    const env: Envelope<P> = {
      id,
      from,
      to,
      kind,
      bytes,
      payload,
      toIncarnation: dst.proc.incarnation,
      fromIncarnation: src.proc.incarnation,
      link,
    };
    const wireUs = bytes * this.usPerByte;
    const txDone = Math.max(now, src.txFreeUs) + wireUs;
    src.txFreeUs = txDone;
    const lat = link.latency;
    const flight = lat.baseUs + randExp(this.rng, lat.jitterMeanUs);
    // The receiver's NIC also serializes incoming bytes.
    const rxDone = Math.max(txDone + flight, dst.rxFreeUs + wireUs);
    dst.rxFreeUs = rxDone;
    const arrival = Math.ceil(Math.max(rxDone, link.lastArrivalUs));
    link.lastArrivalUs = arrival;
    this.trace.emit({ type: 'msg', t: now, id, from, to, kind, bytes, recvUs: arrival });
    this.kernel.at(arrival, this.arrive, env);
    return id;
  }

  private refuse(src: Process, from: string, to: string): void {
    const listener = this.disconnectListeners.get(from);
    if (listener === undefined) return;
    const inc = src.incarnation;
    this.kernel.after(2 * this.linkLatency(from, to).baseUs, () => {
      if (src.incarnation === inc) src.deliver(() => listener(to));
    });
  }

  private readonly arrive = (arg: unknown): void => {
    const env = arg as Envelope;
    const dst = this.nics.get(env.to)!;
    let reason: string | undefined;
    if (env.link.cut) reason = 'link down';
    else if (!dst.proc.alive || dst.proc.incarnation !== env.toIncarnation) reason = `${env.to} restarted or down`;
    if (reason !== undefined) {
      this.trace.emit({ type: 'drop', t: this.kernel.now, id: env.id, reason });
      return;
    }
    const recv = this.receivers.get(env.to)!;
    // A running receiver handles it now; a paused one holds it until resume.
    if (dst.proc.state === 'running') recv(env);
    else dst.proc.deliver(() => recv(env));
  };
}
