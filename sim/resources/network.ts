/**
 * The network: per-link one-way latency (a fixed part plus exponential jitter), per-node NIC bandwidth
 * in each direction (bytes take time and queue behind each other), cut links (two-way or one-way
 * partitions), and TCP connections.
 *
 * Every message travels on a connection: a request on the connection its sender (the client) opened to
 * the receiver (the server), one per channel and per incarnation of both ends; a reply goes back on the
 * connection of the request it answers. Each direction of a connection is FIFO, as TCP delivers a byte
 * stream in order. TCP never loses data on a live connection:
 * - a cut link holds what is sent on it, and what was in flight on it, in order (TCP retransmits it);
 *   when the link heals, the held messages go out at the next retransmission, as Linux retransmits the
 *   oldest unacknowledged segment with a timeout (RTO) starting at 200 ms and doubling each time
 *   (capped at 120 s), counted from when the first held message was sent;
 * - packet loss (`loss`: the probability that one transmission is lost) delays a message until it is
 *   sent again (a tail loss probe after max(2 RTT, 10 ms), then RTOs from 200 ms if that is lost too), and
 *   what follows it on the connection waits behind it.
 * A connection closes, and whatever it holds or has in flight is discarded (a `drop` event), when:
 * - a process dies while its machine stays up: the OS resets its connections, and each peer is told one
 *   latency later (once the link lets the reset through); after a power loss nobody is told;
 * - its client closes it (Kafka's NetworkClient when a request exceeds its timeout);
 * - a message reaches a process that is down or restarted since the connection opened: reset.
 * A receiver that is paused gets its messages when it resumes.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Process } from '../kernel/process.js';
import { randExp, type Stream } from '../kernel/random.js';
import type { LatencySpec, NetworkSpec } from '../scenario/types.js';
import type { Trace } from '../trace/bus.js';

/** Linux's minimum retransmission timeout (TCP_RTO_MIN), µs. */
export const RTO_MIN_US = 200_000;
/** Linux's maximum retransmission timeout (TCP_RTO_MAX), µs. */
export const RTO_MAX_US = 120_000_000;
/** The floor of the tail loss probe's timeout (RACK-TLP, RFC 8985: max(2 SRTT, 10 ms)), µs. */
export const TLP_MIN_US = 10_000;

interface Nic {
  proc: Process;
  /** Its process's message handler. */
  receive: Receiver;
  /** When the transmit side is free again, µs. */
  txFreeUs: number;
  rxFreeUs: number;
  /** µs per byte on its NIC (its bandwidth, each way). */
  usPerByte: number;
  /** Time its NIC spent sending and receiving, µs (utilization). */
  txBusyUs: number;
  rxBusyUs: number;
  /** Outgoing links by destination, created on first use. */
  links: Map<string, Link>;
  /** Open connections this node is the client of, by server (and `#channel` when it has one), in opening order. */
  conns: Map<string, Connection>;
  /** Whether this node reads one request at a time per connection (a Kafka broker: see {@link Network.muteAfterRequest}). */
  mutes: boolean;
  /** Whether its process accepts new connections (see {@link Network.setAccepting}). */
  accepting: boolean;
  /** As a client of a muting server: per server, the time its closed connections were held there (see Connection.heldUs), µs. */
  heldUs: Map<string, number>;
}

/** A directed link's state: cut or not, its latency and loss, the connections holding messages on it. */
interface Link {
  from: string;
  to: string;
  cut: boolean;
  latency: LatencySpec;
  loss: number;
  /** Directions of connections holding messages for this link to heal. */
  held: Set<Direction>;
  /** Resets (of a peer that died) waiting for this link to heal. */
  pendingResets: Array<() => void>;
}

/** One direction of a connection: FIFO, with what it holds while its link is cut. */
interface Direction {
  conn: Connection;
  link: Link;
  /** The sending and receiving ends' NICs. */
  src: Nic;
  dst: Nic;
  /** The receiving end's incarnation when the connection opened. */
  toIncarnation: number;
  lastArrivalUs: number;
  held: Envelope[];
  /** When the oldest held message was last sent: the retransmission timer's start. */
  rtoStartUs: number;
  /** When the held messages are retransmitted (Infinity: not scheduled). */
  flushAtUs: number;
}

/** A TCP connection from a client to a server on one channel, for one incarnation of each. */
interface Connection {
  /** Its key among its client's connections. */
  key: string;
  client: string;
  server: string;
  /** Why it closed; undefined while open. */
  closed: string | undefined;
  out: Direction;
  back: Direction;
  /** A muting server is handling a request from it and has not answered yet. */
  muted: boolean;
  /** Since when it is muted, µs. */
  mutedSinceUs: number;
  /** The time it was muted (a request of its client read by the server and not answered yet), µs. */
  heldUs: number;
  /** Requests that arrived while it was muted, in order: read when it unmutes. */
  unread: Envelope[];
}

export interface Envelope<P = unknown> {
  id: number;
  from: string;
  to: string;
  kind: string;
  bytes: number;
  payload: P;
  /** The connection and direction it travels on (a reply goes back on its request's connection). */
  conn: Connection;
  dir: Direction;
  /** When it was last put on the wire, µs. */
  sentUs: number;
}

export type Receiver = (env: Envelope) => void;

/** Told when a connection to `peer` breaks: the peer's process died (TCP reset) or refused a connection. */
export type DisconnectListener = (peer: string) => void;

/** The next retransmission at or after `nowUs` of a segment first sent at `startUs` (RTO doubling from RTO_MIN). */
export function nextRetransmitUs(startUs: number, nowUs: number): number {
  let t = startUs;
  let rto = RTO_MIN_US;
  do {
    t += rto;
    rto = Math.min(2 * rto, RTO_MAX_US);
  } while (t < nowUs);
  return t;
}

export class Network {
  private readonly nics = new Map<string, Nic>();
  private readonly disconnectListeners = new Map<string, DisconnectListener>();
  private nextId = 1;
  private readonly usPerByte: number;

  constructor(
    private readonly kernel: Kernel,
    private readonly rng: Stream,
    private readonly spec: NetworkSpec,
    private readonly trace: Trace,
    /** Draws packet losses (its own stream, so latencies do not shift). */
    private readonly lossRng: Stream,
  ) {
    this.usPerByte = 1e6 / spec.nicBytesPerSec;
  }

  /** Attach a node; `nicBytesPerSec` overrides the network's NIC bandwidth for this node's machine. */
  attach(proc: Process, receive: Receiver, nicBytesPerSec?: number): void {
    const usPerByte = nicBytesPerSec === undefined ? this.usPerByte : 1e6 / nicBytesPerSec;
    this.nics.set(proc.node, { proc, receive, txFreeUs: 0, rxFreeUs: 0, usPerByte, txBusyUs: 0, rxBusyUs: 0, links: new Map(), conns: new Map(), mutes: false, accepting: true, heldUs: new Map() });
  }

  /** Time a node's NIC spent sending (`tx`) and receiving (`rx`), µs. */
  nicBusyUs(node: string): { tx: number; rx: number } {
    const nic = this.nics.get(node)!;
    return { tx: nic.txBusyUs, rx: nic.rxBusyUs };
  }

  /**
   * How long `node`'s busiest connection to a muting server (a broker) was held there, up to now, µs: the
   * time a request of its was read and not yet answered, so that the next one waited unread.
   */
  connectionHeldUs(node: string): number {
    const nic = this.nics.get(node)!;
    const now = this.kernel.now;
    const held = new Map(nic.heldUs);
    for (const c of nic.conns.values()) held.set(c.server, (held.get(c.server) ?? 0) + c.heldUs + (c.muted ? Math.max(0, now - c.mutedSinceUs) : 0));
    let most = 0;
    for (const us of held.values()) most = Math.max(most, us);
    return most;
  }

  /**
   * `node` reads one request at a time per connection, as Kafka's SocketServer does: once a Processor has
   * read a request it mutes the connection (`selector.mute`, ChannelMuteEvent.REQUEST_RECEIVED) and reads
   * the next only after the response is sent (RESPONSE_SENT), or at once when the request has no response
   * ({@link noResponse}: acks=0). A client's pipelined requests (max.in.flight.requests.per.connection)
   * wait in the connection meanwhile.
   */
  muteAfterRequest(node: string): void {
    this.nics.get(node)!.mutes = true;
  }

  /**
   * Whether `node`'s process accepts new connections. A Kafka broker that (re)starts opens its listeners
   * only at the end of its startup (BrokerServer.startup: `socketServer.enableRequestProcessing` once it
   * has caught up with the metadata and the controller has unfenced it); before that a connection to it
   * is refused, as to a machine whose process is down.
   */
  setAccepting(node: string, accepting: boolean): void {
    this.nics.get(node)!.accepting = accepting;
  }

  /** The server handled `req` and sends no response (a produce with acks=0): its connection unmutes now. */
  noResponse(req: Envelope): void {
    if (req.conn.muted && req.conn.closed === undefined) this.unmute(req.conn, this.kernel.now);
  }

  /** The response to a connection's request is sent (at `atUs`, once on the wire): the next request is read then. */
  private unmute(conn: Connection, atUs: number): void {
    conn.muted = false;
    this.addHeld(conn, atUs);
    if (conn.unread.length > 0) this.kernel.at(Math.ceil(atUs), this.readNext, conn);
  }

  /** The time `conn` was muted, up to `untilUs`. */
  private addHeld(conn: Connection, untilUs: number): void {
    conn.heldUs += Math.max(0, untilUs - conn.mutedSinceUs);
  }

  private readonly readNext = (arg: unknown): void => {
    const conn = arg as Connection;
    if (conn.closed !== undefined || conn.muted || conn.unread.length === 0) return;
    const dst = conn.out.dst;
    // The server died or restarted since the request arrived: the connection is reset, its requests dropped.
    if (!dst.proc.alive || dst.proc.incarnation !== conn.out.toIncarnation) this.closeConn(conn, `${conn.server} restarted or down`);
    else this.deliver(conn.unread.shift()!);
  };

  onDisconnect(node: string, listener: DisconnectListener): void {
    this.disconnectListeners.set(node, listener);
  }

  /**
   * A process died while its machine stayed up (or a machine came back after a power loss): its
   * connections are reset. Every peer learns it one link latency later, once the links between them are
   * up. (During a power loss nobody is told: requests time out.)
   */
  processDied(node: string): void {
    for (const nic of this.nics.values()) {
      for (const conn of [...nic.conns.values()]) if (conn.client === node || conn.server === node) this.closeConn(conn, `${node} died: connection reset`);
    }
    for (const [peer, listener] of this.disconnectListeners) {
      if (peer === node) continue;
      const p = this.nics.get(peer)!.proc;
      const inc = p.incarnation;
      const tell = (): void => {
        this.kernel.after(this.link(node, peer).latency.baseUs, () => {
          if (p.incarnation === inc) p.deliver(() => listener(node));
        });
      };
      this.whenUp(node, peer, tell);
    }
  }

  /** Run `fn` once both links between `a` and `b` are up (now, if they are). */
  private whenUp(a: string, b: string, fn: () => void): void {
    const ab = this.link(a, b);
    const ba = this.link(b, a);
    if (ab.cut) ab.pendingResets.push(() => this.whenUp(a, b, fn));
    else if (ba.cut) ba.pendingResets.push(() => this.whenUp(a, b, fn));
    else fn();
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
      const loss = o?.loss ?? this.spec.loss;
      l = { from, to, cut: false, latency: o?.latency ?? this.spec.latency, loss, held: new Set(), pendingResets: [] };
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
    if (!up) return;
    for (const dir of l.held) this.scheduleRetransmit(dir);
    const resets = l.pendingResets;
    l.pendingResets = [];
    for (const fn of resets) fn();
  }

  /** Every cut link, as [from, to], in a stable order. */
  cutLinks(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const nic of this.nics.values()) for (const l of nic.links.values()) if (l.cut) out.push([l.from, l.to]);
    return out.sort((a, b) => (a[0] + '>' + a[1] < b[0] + '>' + b[1] ? -1 : 1));
  }

  /**
   * Send a request (or any message that opens its own exchange) from `from` to `to` on the connection
   * `from` keeps to `to` for `channel`, opening one if there is none. Returns the message id.
   */
  send<P>(from: string, to: string, kind: string, bytes: number, payload: P, channel = ''): number {
    const id = this.nextId++;
    const src = this.nics.get(from)!;
    const dst = this.nics.get(to)!;
    if (!(dst.proc.alive && dst.accepting) && !this.link(from, to).cut) {
      this.trace.msg(this.kernel.now, id, from, to, kind, bytes, this.kernel.now, dst.proc.alive ? `${to} is not accepting connections yet` : `${to} is down`);
      // Connecting to a machine that is up but whose process is down (or not listening yet) is refused at once.
      if (dst.proc.machineUp) this.refuse(src.proc, from, to);
      return id;
    }
    this.put(this.connection(src, dst, channel).out, id, from, to, kind, bytes, payload);
    return id;
  }

  /** Answer `req` on the connection it came on (discarded if that connection has closed). Returns the message id. */
  reply<P>(req: Envelope, kind: string, bytes: number, payload: P): number {
    const id = this.nextId++;
    const conn = req.conn;
    if (conn.closed !== undefined) {
      const now = this.kernel.now;
      this.trace.msg(now, id, req.to, req.from, kind, bytes, now, conn.closed);
      return id;
    }
    this.put(conn.back, id, req.to, req.from, kind, bytes, payload);
    if (conn.muted) this.unmute(conn, Math.max(this.kernel.now, conn.back.src.txFreeUs));
    return id;
  }

  /** The client `from` closes its connection to `to` (e.g. a request timed out): what it held is discarded. */
  close(from: string, to: string, reason: string, channel = ''): void {
    const conn = this.nics.get(from)!.conns.get(connKey(to, channel));
    if (conn !== undefined) this.closeConn(conn, `connection closed by ${from}: ${reason}`);
  }

  private connection(cn: Nic, sn: Nic, channel: string): Connection {
    const client = cn.proc;
    const server = sn.proc;
    const key = connKey(server.node, channel);
    const conns = cn.conns;
    const c = conns.get(key);
    if (c !== undefined) {
      if (c.out.toIncarnation === server.incarnation && c.back.toIncarnation === client.incarnation) return c;
      this.closeConn(c, 'connection reset: a process restarted');
    }
    const conn = { key, client: client.node, server: server.node, closed: undefined, muted: false, mutedSinceUs: 0, heldUs: 0, unread: [] as Envelope[] } as Connection;
    conn.out = newDirection(conn, this.link(client.node, server.node), cn, sn, server.incarnation);
    conn.back = newDirection(conn, this.link(server.node, client.node), sn, cn, client.incarnation);
    conns.set(key, conn);
    return conn;
  }

  private closeConn(conn: Connection, reason: string): void {
    if (conn.closed !== undefined) return;
    conn.closed = reason;
    if (conn.muted) {
      conn.muted = false;
      this.addHeld(conn, this.kernel.now);
    }
    // Counted to its client from now on: its connections keep only the open ones.
    const held = conn.out.src.heldUs;
    held.set(conn.server, (held.get(conn.server) ?? 0) + conn.heldUs);
    const conns = this.nics.get(conn.client)!.conns;
    if (conns.get(conn.key) === conn) conns.delete(conn.key);
    for (const dir of [conn.out, conn.back]) {
      dir.link.held.delete(dir);
      const now = this.kernel.now;
      for (const env of dir.held) this.trace.emit({ type: 'drop', t: now, id: env.id, reason });
      dir.held = [];
      dir.flushAtUs = Infinity;
    }
    const now = this.kernel.now;
    for (const env of conn.unread) this.trace.emit({ type: 'drop', t: now, id: env.id, reason });
    conn.unread = [];
  }

  private put<P>(dir: Direction, id: number, from: string, to: string, kind: string, bytes: number, payload: P): void {
    const now = this.kernel.now;
    const env: Envelope<P> = { id, from, to, kind, bytes, payload, conn: dir.conn, dir, sentUs: now };
    if (dir.link.cut || dir.held.length > 0) {
      this.trace.msg(now, id, from, to, kind, bytes, now);
      this.hold(env, dir.link.cut ? 'link down' : 'behind a retransmission');
      return;
    }
    const arrival = this.transmit(env);
    this.trace.msg(now, id, from, to, kind, bytes, arrival);
  }

  /** Put `env` on the wire now: NIC queues, latency, retransmissions of lost packets, FIFO. Returns its arrival, µs. */
  private transmit(env: Envelope): number {
    const now = this.kernel.now;
    const dir = env.dir;
    const src = dir.src;
    const dst = dir.dst;
    env.sentUs = now;
    const wireUs = env.bytes * src.usPerByte;
    const txDone = Math.max(now, src.txFreeUs) + wireUs;
    src.txFreeUs = txDone;
    src.txBusyUs += wireUs;
    const lat = dir.link.latency;
    const flight = lat.baseUs + randExp(this.rng, lat.jitterMeanUs) + this.lossDelayUs(dir.link);
    // The receiver's NIC also serializes incoming bytes.
    const rxUs = env.bytes * dst.usPerByte;
    const rxDone = Math.max(txDone + flight, dst.rxFreeUs + rxUs);
    dst.rxFreeUs = rxDone;
    dst.rxBusyUs += rxUs;
    const arrival = Math.ceil(Math.max(rxDone, dir.lastArrivalUs));
    dir.lastArrivalUs = arrival;
    this.kernel.at(arrival, this.arrive, env);
    return arrival;
  }

  /**
   * Packet loss, as Linux recovers it (RACK-TLP): a lost transmission is found by a tail loss probe after
   * max(2 RTT, 10 ms) and sent again; if that is lost too, the retransmission timeout takes over (RTO_MIN,
   * doubling). Returns the extra delay of this message (0 when its first transmission gets through).
   */
  private lossDelayUs(link: Link): number {
    if (link.loss <= 0 || this.lossRng() >= link.loss) return 0;
    let delay = Math.max(4 * link.latency.baseUs, TLP_MIN_US);
    let rto = RTO_MIN_US;
    while (this.lossRng() < link.loss) {
      delay += rto;
      if (rto >= RTO_MAX_US) break;
      rto = Math.min(2 * rto, RTO_MAX_US);
    }
    return delay;
  }

  /** Hold `env` on its connection until its link is up and the next retransmission sends it. */
  private hold(env: Envelope, reason: string): void {
    const dir = env.dir;
    const held = dir.held;
    if (held.length === 0) {
      dir.rtoStartUs = env.sentUs;
      dir.link.held.add(dir);
    } else dir.rtoStartUs = Math.min(dir.rtoStartUs, env.sentUs);
    // In the order sent (ids grow with time): one in flight when the link was cut goes before those sent since.
    let i = held.length;
    while (i > 0 && held[i - 1].id > env.id) i--;
    held.splice(i, 0, env);
    this.trace.emit({ type: 'held', t: this.kernel.now, id: env.id, reason });
    if (!dir.link.cut) this.scheduleRetransmit(dir);
  }

  private scheduleRetransmit(dir: Direction): void {
    if (dir.held.length === 0 || dir.flushAtUs < Infinity) return;
    dir.flushAtUs = nextRetransmitUs(dir.rtoStartUs, this.kernel.now);
    this.kernel.at(dir.flushAtUs, this.retransmit, dir);
  }

  /** The retransmission timer fired: if the link is up, send everything held, in order. */
  private readonly retransmit = (arg: unknown): void => {
    const dir = arg as Direction;
    if (dir.flushAtUs !== this.kernel.now || dir.conn.closed !== undefined) return;
    dir.flushAtUs = Infinity;
    if (dir.link.cut) return; // cut again: the next heal schedules the next retransmission
    const held = dir.held;
    dir.held = [];
    dir.link.held.delete(dir);
    for (const env of held) {
      const recvUs = this.transmit(env);
      this.trace.emit({ type: 'resend', t: this.kernel.now, id: env.id, from: env.from, to: env.to, kind: env.kind, bytes: env.bytes, recvUs });
    }
  };

  private refuse(src: Process, from: string, to: string): void {
    const listener = this.disconnectListeners.get(from);
    if (listener === undefined) return;
    const inc = src.incarnation;
    this.kernel.after(2 * this.link(from, to).latency.baseUs, () => {
      if (src.incarnation === inc) src.deliver(() => listener(to));
    });
  }

  private readonly arrive = (arg: unknown): void => {
    const env = arg as Envelope;
    const dir = env.dir;
    if (env.conn.closed !== undefined) {
      this.trace.emit({ type: 'drop', t: this.kernel.now, id: env.id, reason: env.conn.closed });
      return;
    }
    if (dir.link.cut || dir.held.length > 0) {
      this.hold(env, dir.link.cut ? 'link down' : 'behind a retransmission');
      return;
    }
    const dst = dir.dst;
    const restarted = !dst.proc.alive || dst.proc.incarnation !== dir.toIncarnation;
    if (restarted || (!dst.accepting && dir === env.conn.out)) {
      // A process that is down or restarted since (or a server not listening yet, for a connection opened
      // while its link was cut): the machine answers with a reset if it is up.
      const reason = restarted ? `${env.to} restarted or down` : `${env.to} is not accepting connections yet`;
      this.closeConn(env.conn, reason);
      this.trace.emit({ type: 'drop', t: this.kernel.now, id: env.id, reason });
      if (dst.proc.machineUp) this.refuse(this.nics.get(env.from)!.proc, env.from, env.to);
      return;
    }
    // A muting server reads a connection's next request only once it has answered the one before.
    // (Or one before it still waits to be read: requests are read in the order they arrived.)
    if (dst.mutes && dir === env.conn.out && (env.conn.muted || env.conn.unread.length > 0)) {
      env.conn.unread.push(env);
      return;
    }
    this.deliver(env);
  };

  /** Hand `env` to its receiver (muting the connection if the receiver mutes): now if it runs, at resume if paused. */
  private deliver(env: Envelope): void {
    const dst = env.dir.dst;
    if (dst.mutes && env.dir === env.conn.out) {
      env.conn.muted = true;
      env.conn.mutedSinceUs = this.kernel.now;
    }
    const recv = dst.receive;
    if (dst.proc.state === 'running') recv(env);
    else dst.proc.deliver(() => recv(env));
  }
}

/** A connection's key among its client's: the server, and its channel if it has one (no string built for the default). */
function connKey(server: string, channel: string): string {
  return channel === '' ? server : `${server}#${channel}`;
}

function newDirection(conn: Connection, link: Link, src: Nic, dst: Nic, toIncarnation: number): Direction {
  return { conn, link, src, dst, toIncarnation, lastArrivalUs: 0, held: [], rtoStartUs: 0, flushAtUs: Infinity };
}
