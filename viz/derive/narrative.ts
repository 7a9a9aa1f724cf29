/**
 * The narrative: each notable event of a trace in plain words, with Kafka's terms, e.g.
 * "broker 1 missed heartbeats for 9.0 s and was fenced". Built in one pass over the events (an
 * `observe` hook of TraceIndex), reading the frame after each event for what it needs.
 */
import { type ControllerKind, errorWords, fencedWord, sessionConfig, TRUNCATION_WORDS, type TraceEvent } from '../../sim/index.js';
import type { Frame } from './frames.js';
import { GroupNarrative } from './group-narrative.js';
import type { Redelivery } from './group-series.js';

export type NarrativeKind = 'fault' | 'broker' | 'fence' | 'election' | 'isr' | 'truncate' | 'client' | 'error' | 'group' | 'end';

export interface NarrativeItem {
  /** Index of the event this item describes: clicking it seeks there. */
  i: number;
  t: number;
  kind: NarrativeKind;
  tp?: string;
  text: string;
  /** Something bad for durability or availability (unclean election, lost records, offline partition). */
  severe?: boolean;
}

/** The narrative of held messages going out again once their link healed. */
function resendText(from: string, to: string, n: number): string {
  return `${node(from)} → ${node(to)}: the link is up again and TCP's retransmission timer fired: ${n} held message(s) go out again, in order`;
}

/**
 * A trace node in words, by Kafka's names and the scenario's own client names: "b1" → "broker 1",
 * "p:p1" → "producer p1", "c:c1" → "consumer c1", "ctl" → "the controller". The trace's prefixes never
 * reach the page's text.
 */
export const nodeName = (n: string): string =>
  /^b\d+$/.test(n) ? `broker ${n.slice(1)}` : n === 'ctl' ? 'the controller' : n.startsWith('p:') ? `producer ${n.slice(2)}` : n.startsWith('c:') ? `consumer ${n.slice(2)}` : n;
const node = nodeName;
const list = (xs: readonly number[]): string => `[${xs.join(',')}]`;

/** Seconds with one decimal, or ms below 1 s. */
export function fmtDuration(us: number): string {
  if (Math.abs(us) < 1_000_000) return `${Math.round(us / 1000)} ms`;
  return `${(us / 1e6).toFixed(1)} s`;
}

/** Virtual time as "12.345 s". */
export function fmtTime(us: number): string {
  return `${(us / 1e6).toFixed(3)} s`;
}

export class NarrativeBuilder {
  readonly items: NarrativeItem[] = [];
  /** Per broker: arrival times of its last two heartbeats at the controller. */
  private readonly heartbeats = new Map<string, number[]>();
  /** ISR per partition before the current event. */
  private readonly isr = new Map<string, number[]>();
  private readonly minIsr = new Map<string, number>();
  private readonly retrying = new Set<string>();
  private readonly failing = new Set<string>();
  private cuts: string[] = [];
  private heals: string[] = [];
  private controller: ControllerKind = 'kraft';
  private lastResend: { t: number; from: string; to: string; n: number; item: NarrativeItem } | undefined;
  private index = 0;
  /** Position in `items` of the last fault's item: the effects of the next fault come after it. */
  private lastFaultK = -1;
  /** Brokers seen so far (the header's, then those added during the run). */
  private readonly brokers = new Set<number>();

  /** Consumer groups: rebalances, pauses, commits, coordinators, redelivered records. */
  private readonly groups = new GroupNarrative((item) => this.items.push(item));

  /** Records a group received again (viz/derive/group-series.ts finds them). */
  redelivered(r: Redelivery): void {
    this.groups.redelivered(r);
  }

  /** The `observe` hook: `f` is the frame after `ev`, `lostBefore` the lost acknowledged records before it. */
  event(ev: TraceEvent, i: number, f: Readonly<Frame>, lostBefore: number): void {
    this.index = i;
    switch (ev.type) {
      // The busiest types first, without making anything.
      case 'append':
      case 'hw':
      case 'batch':
      case 'flush':
      case 'consume':
      case 'drop':
      case 'metadata':
        return;
      case 'held':
      case 'resend':
        return this.retransmission(ev);
      case 'msg':
        if (ev.kind === 'BrokerHeartbeat' && ev.dropped === undefined && ev.to === 'ctl') this.heartbeat(ev.from, ev.recvUs);
        return;
      case 'ack':
        if (ev.error === 'NONE' && this.retrying.size === 0 && this.failing.size === 0) return;
    }
    this.rare(ev, i, f, lostBefore);
  }

  /**
   * The retransmissions of held messages on one link at one moment (after it healed) make one item, its
   * count updated as they come.
   */
  private retransmission(ev: Ev<'held'> | Ev<'resend'>): void {
    if (ev.type === 'held') return;
    const r = this.lastResend;
    if (r !== undefined && r.t === ev.t && r.from === ev.from && r.to === ev.to) {
      r.n++;
      r.item.text = resendText(r.from, r.to, r.n);
      return;
    }
    const item: NarrativeItem = { i: this.index, t: ev.t, kind: 'fault', text: resendText(ev.from, ev.to, 1) };
    this.items.push(item);
    this.lastResend = { t: ev.t, from: ev.from, to: ev.to, n: 1, item };
  }

  private heartbeat(from: string, recvUs: number): void {
    const h = this.heartbeats.get(from) ?? [];
    h.push(recvUs);
    if (h.length > 2) h.shift();
    this.heartbeats.set(from, h);
  }

  private add(ev: TraceEvent, i: number, kind: NarrativeKind, text: string, extra: Partial<NarrativeItem> = {}): void {
    this.items.push({ i, t: ev.t, kind, text, ...extra });
  }

  private rare(ev: TraceEvent, i: number, f: Readonly<Frame>, lostBefore: number): void {
    switch (ev.type) {
      case 'header':
        return this.header(ev);
      case 'link':
        (ev.up ? this.heals : this.cuts).push(`${ev.from}>${ev.to}`);
        return;
      case 'fault':
        this.groups.fault(ev);
        return this.fault(ev, i);
      case 'broker':
        return this.broker(ev, i);
      case 'partitions':
        return this.partitionsAdded(ev, i);
      case 'reassign':
        return this.reassign(ev, i);
      case 'keysRemapped':
        return this.add(
          ev,
          i,
          'client',
          `producer ${ev.producer} sees ${ev.partitions} partitions of ${ev.topic} and maps keys over all of them: ${ev.keysMoved} of the keys it sent before now go to another partition, so their new records are not in order with the old ones for any reader`,
        );
      case 'fence':
        return this.fence(ev, i);
      case 'election':
        return this.election(ev, i);
      case 'isr':
        return this.isrChange(ev, i);
      case 'truncate':
        return this.add(ev, i, 'truncate', ...truncateText(ev, f.stats.lostAcked - lostBefore));
      case 'client':
        return this.client(ev, i, f);
      case 'group':
        return this.groups.group(ev, i);
      case 'assignment':
        return this.groups.assignment(ev, i);
      case 'position':
        return this.groups.position(ev);
      case 'commit':
        return this.groups.commit(ev, i);
      case 'coordinator':
        return this.groups.coordinator(ev, i);
      case 'retry':
        return this.retry(ev, i);
      case 'sendError':
        return this.sendError(ev, i);
      case 'ack':
        return this.ack(ev, i);
      case 'truncationDetected':
        return this.add(ev, i, 'truncate', truncationDetectedText(ev), { tp: ev.tp, severe: true });
      case 'end': {
        const s = f.stats;
        return this.add(
          ev,
          i,
          'end',
          `end of run: ${s.acked} record(s) acknowledged, ${s.failed} failed, ${s.lostAcked} acknowledged record(s) lost, ${s.elections} election(s) (${s.uncleanElections} unclean)`,
          { severe: s.lostAcked > 0 },
        );
      }
      default:
        return;
    }
  }

  private broker(ev: Ev<'broker'>, i: number): void {
    if (ev.t === 0 && ev.state === 'running') return;
    if (!this.brokers.has(ev.broker)) {
      this.brokers.add(ev.broker);
      return this.add(ev, i, 'broker', `broker ${ev.broker} started: a new broker joins the cluster; it registers with the controller and hosts nothing until partitions are placed on it`);
    }
    this.add(ev, i, 'broker', brokerText(ev), { severe: ev.state === 'crashed' });
  }

  private client(ev: Ev<'client'>, i: number, f: Readonly<Frame>): void {
    this.groups.client(ev, f);
    if (ev.t === 0) return;
    const text = `${node(ev.node)} ${CLIENT_WORDS[ev.state]}${ev.error !== undefined ? ` with ${ev.error}` : ''}${ev.pid !== undefined ? ` (producer id ${ev.pid})` : ''}`;
    this.add(ev, i, 'client', text, { severe: (ev.state === 'crashed' || ev.state === 'failed') && ev.node.startsWith('c:') });
  }

  private header(ev: Ev<'header'>): void {
    this.controller = ev.controller;
    for (const b of ev.brokers) this.brokers.add(b);
    for (const t of ev.topics) {
      t.replicas.forEach((r, p) => {
        this.isr.set(`${t.name}-${p}`, [...r]);
        this.minIsr.set(`${t.name}-${p}`, t.minInsyncReplicas);
      });
    }
  }

  private fault(ev: Ev<'fault'>, i: number): void {
    let text = `fault: ${ev.text}`;
    // The targets the fault resolved to, unless its own words already name them ("crash broker 3").
    const targets = ev.targets.map(node);
    if (targets.length > 0 && !targets.every((t) => namesTarget(ev.text, t))) text += ` → ${targets.join(', ')}`;
    const links = ev.verb === 'heal' ? this.heals : this.cuts;
    if ((ev.verb === 'partition' || ev.verb === 'heal') && links.length > 0) {
      text += `; ${ev.verb === 'heal' ? 'healed' : 'cut'} ${pairs(links)}`;
    }
    if (ev.pending !== undefined) text += ` (pending: ${ev.pending})`;
    if (ev.rejected !== undefined) text += ` (rejected: ${ev.rejected})`;
    this.cuts = [];
    this.heals = [];
    this.addCause(ev, i, text, ev.rejected !== undefined ? { severe: true } : {});
  }

  /**
   * A fault's item goes before its effects: the simulator applies a fault (a broker crashes, a client
   * stops) and then records it, so those effects come first in the trace at the same instant. The fault
   * takes the place (and the event index) of the first item of that instant since the previous fault.
   */
  private addCause(ev: Ev<'fault'>, i: number, text: string, extra: Partial<NarrativeItem>): void {
    let k = this.items.length;
    while (k > 0 && k > this.lastFaultK + 1 && this.items[k - 1].t === ev.t && this.items[k - 1].kind !== 'fault') k--;
    const at = k < this.items.length ? this.items[k].i : i;
    const item: NarrativeItem = { i: at, t: ev.t, kind: 'fault', text, ...extra };
    this.items.splice(k, 0, item);
    this.lastFaultK = k;
  }

  private fence(ev: Ev<'fence'>, i: number): void {
    const b = `broker ${ev.broker}`;
    if (ev.reason === 'sessionTimeout') {
      const h = (this.heartbeats.get(`b${ev.broker}`) ?? []).filter((x) => x <= ev.t);
      const last = h[h.length - 1];
      const gap = last !== undefined ? ` for ${fmtDuration(ev.t - last)}` : '';
      const text =
        this.controller === 'zookeeper'
          ? `${b} sent no ZooKeeper ping${gap}: its ZooKeeper session expired (${sessionConfig(this.controller)}) and the controller declared it dead`
          : `${b} missed heartbeats${gap} and was fenced by the controller (${sessionConfig(this.controller)})`;
      this.add(ev, i, 'fence', text, { severe: true });
    } else if (ev.reason === 'controlledShutdown') {
      this.add(ev, i, 'fence', `${b} asked for a controlled shutdown: the controller moves its partition leaderships away`);
    } else if (ev.reason === 'shutdownNow') {
      this.add(ev, i, 'fence', `the controller let ${b} finish its controlled shutdown and fenced it: its next start may register at once`);
    } else if (this.controller === 'zookeeper') {
      this.add(ev, i, 'fence', ev.fenced ? `the controller considers ${b} dead (${ev.reason})` : `${b} registered in ZooKeeper: the controller considers it alive`);
    } else if (!ev.fenced) {
      this.add(ev, i, 'fence', `the controller unfenced ${b}: it registered and caught up with the metadata log`);
    } else if (ev.reason === 'unregistered') {
      this.add(ev, i, 'fence', `the controller unregistered ${b} (Admin UnregisterBroker): it left every ISR and leadership, and is no longer part of the cluster`);
    } else {
      this.add(ev, i, 'fence', `the controller fenced ${b} (${ev.reason})`);
    }
  }

  private partitionsAdded(ev: Ev<'partitions'>, i: number): void {
    const first = ev.partitions - ev.replicas.length;
    ev.replicas.forEach((r, k) => {
      this.isr.set(`${ev.topic}-${first + k}`, [...(ev.isr[k] ?? r)]);
      const t0 = this.minIsr.get(`${ev.topic}-0`);
      if (t0 !== undefined) this.minIsr.set(`${ev.topic}-${first + k}`, t0);
    });
    const added = ev.replicas.map((r, k) => `${ev.topic}-${first + k} on ${list(r)}`).join(', ');
    this.add(ev, i, 'fault', `the controller added partitions: ${ev.topic} has ${ev.partitions} now (${added}); producers map keys over the new count once their metadata shows it`);
  }

  private reassign(ev: Ev<'reassign'>, i: number): void {
    const moves = `adding ${list(ev.adding)}, removing ${list(ev.removing)}`;
    const text =
      ev.phase === 'start'
        ? `${ev.tp}: reassignment starts: replicas ${list(ev.replicas)} (${moves}); the new replicas fetch from the leader as followers and join the ISR once caught up`
        : `${ev.tp}: reassignment complete: the new replicas are in the ISR, the replicas are ${list(ev.replicas)}, and ${list(ev.removing)} stop and delete their copies`;
    this.add(ev, i, 'isr', text, { tp: ev.tp });
  }

  private election(ev: Ev<'election'>, i: number): void {
    const prevIsr = this.isr.get(ev.tp) ?? [];
    this.isr.set(ev.tp, [...ev.isr]);
    const prev = ev.prevLeader < 0 ? 'none' : String(ev.prevLeader);
    if (ev.leader < 0) {
      this.add(ev, i, 'election', `${ev.tp} is offline: no eligible replica to lead it (leader ${prev} → none, epoch ${ev.epoch}); produce and fetch fail until one returns`, {
        tp: ev.tp,
        severe: true,
      });
      return;
    }
    const why =
      ev.reason === 'leaderFenced'
        ? `, because broker ${prev} was ${fencedWord(this.controller)}`
        : ev.reason === 'controlledShutdown'
          ? `, because broker ${prev} is shutting down`
          : ev.reason === 'preferred'
            ? ', back to the preferred leader'
            : ev.reason === 'offlinePartition'
              ? ', the partition is back online'
              : '';
    if (ev.clean && ev.reason === 'reassignment') {
      this.add(ev, i, 'election', `${ev.tp}: leader ${prev} → ${ev.leader} (epoch ${ev.epoch}, clean): the reassignment removed ${prev}, and ${ev.leader} is the first target replica in the ISR`, {
        tp: ev.tp,
      });
    } else if (ev.clean) {
      this.add(ev, i, 'election', `${ev.tp}: leader ${prev} → ${ev.leader} (epoch ${ev.epoch}, clean: ${ev.leader} was in the ISR ${list(prevIsr)})${why}`, { tp: ev.tp });
    } else if (ev.reason === 'lastKnownLeader') {
      this.add(
        ev,
        i,
        'election',
        `${ev.tp}: leader ${prev} → ${ev.leader} (epoch ${ev.epoch}, UNCLEAN: ISR and ELR were both empty, so the controller elected the last known leader ${ev.leader} (KIP-966), whether or not unclean.leader.election.enable is set; after an unclean shutdown it may lack acknowledged records, so the partition is marked RECOVERING)`,
        { tp: ev.tp, severe: true },
      );
    } else {
      this.add(
        ev,
        i,
        'election',
        `${ev.tp}: leader ${prev} → ${ev.leader} (epoch ${ev.epoch}, UNCLEAN: no ISR member was available and ${ev.leader} was not in the ISR ${list(prevIsr)}; unclean.leader.election.enable=true lets it lead, and records it lacks will be lost)`,
        { tp: ev.tp, severe: true },
      );
    }
  }

  private isrChange(ev: Ev<'isr'>, i: number): void {
    const prev = ev.prev;
    this.isr.set(ev.tp, [...ev.isr]);
    const removed = prev.filter((b) => !ev.isr.includes(b));
    const added = ev.isr.filter((b) => !prev.includes(b));
    const min = this.minIsr.get(ev.tp) ?? 1;
    let text: string;
    if (ev.reason === 'shrink') {
      text = `${ev.tp}: the leader removed ${removed.join(', ')} from the ISR: they did not catch up within replica.lag.time.max.ms; ISR ${list(prev)} → ${list(ev.isr)}`;
    } else if (ev.reason === 'expand') {
      text = `${ev.tp}: ${added.join(', ')} caught up with the leader and rejoined the ISR: ${list(prev)} → ${list(ev.isr)}`;
    } else if (ev.reason === 'fenced') {
      text = `${ev.tp}: ISR ${list(prev)} → ${list(ev.isr)} (broker ${removed.join(', ') || '?'} ${fencedWord(this.controller)})`;
    } else if (ev.reason === 'shutdown') {
      text = `${ev.tp}: ISR ${list(prev)} → ${list(ev.isr)} (broker ${removed.join(', ') || '?'} shutting down)`;
    } else if (ev.reason === 'reassignment') {
      text = `${ev.tp}: ISR ${list(prev)} → ${list(ev.isr)} (the reassignment completed: ${added.length > 0 ? `${added.join(', ')} caught up, ` : ''}${removed.join(', ') || 'none'} left)`;
    } else if (ev.reason === 'unregistered') {
      text = `${ev.tp}: ISR ${list(prev)} → ${list(ev.isr)} (broker ${removed.join(', ') || '?'} unregistered)`;
    } else if (ev.reason === 'offlineDir') {
      text = `${ev.tp}: ISR ${list(prev)} → ${list(ev.isr)} (the replica on broker ${removed.join(', ') || '?'} is in a failed log directory: the broker told the controller in its heartbeat, KIP-858, and that replica may not lead until its disk is replaced)`;
    } else if (ev.reason === 'uncleanShutdown' && added.length > 0) {
      // The same change elected the last known leader (the election line says so): the ISR is just it.
      text = `${ev.tp}: a broker registered again after an unclean shutdown and left the ELR; with ISR and ELR empty the last known leader ${added.join(', ')} was elected and is the ISR alone: ${list(prev)} → ${list(ev.isr)}`;
    } else if (ev.reason === 'uncleanShutdown') {
      text = `${ev.tp}: a broker registered again after an unclean shutdown (no clean-shutdown broker epoch): it may have lost acknowledged records, so the controller took it out of the ISR and ELR (KIP-966); ISR ${list(prev)} → ${list(ev.isr)}`;
    } else {
      text = `${ev.tp}: ISR ${list(prev)} → ${list(ev.isr)} (election)`;
    }
    if (ev.elr.length > 0) text += `; ELR ${list(ev.elr)} (eligible leader replicas: not in the ISR but still safe to elect)`;
    if (ev.isr.length === 0 && ev.lastKnownElr.length > 0) text += `; the ISR is empty and ${list(ev.lastKnownElr)} is the last known leader`;
    const under = ev.isr.length < min && prev.length >= min;
    if (under) text += `; the ISR is below min.insync.replicas=${min}: acks=all produce requests now fail with NOT_ENOUGH_REPLICAS`;
    this.add(ev, i, 'isr', text, { tp: ev.tp, severe: under });
  }

  /** The first retry of a producer, partition and error (until a send succeeds). */
  private retry(ev: Ev<'retry'>, i: number): void {
    const key = `${ev.producer}|${ev.tp}|${ev.error}`;
    if (this.retrying.has(key)) return;
    this.retrying.add(key);
    const what =
      ev.error === 'MESSAGE_TOO_LARGE'
        ? 'the leader refused the batch as larger than max.message.bytes (MESSAGE_TOO_LARGE); the producer splits it into batches of at most batch.size and sends again'
        : `produce failed with ${errorWords(ev.error)}; retrying`;
    this.add(ev, i, 'error', `producer ${ev.producer} → ${ev.tp}: ${what}`, { tp: ev.tp });
  }

  /** The first send() failure of a producer for each reason: the records never reached a batch. */
  private sendError(ev: Ev<'sendError'>, i: number): void {
    const key = `${ev.producer}|send|${ev.error}`;
    if (this.failing.has(key)) return;
    this.failing.add(key);
    this.add(ev, i, 'error', `producer ${ev.producer}: send() failed with ${ev.error}: ${ev.message} (nothing was buffered or sent; more may follow)`, { severe: true });
  }

  /** A success clears the producer's retries and failures; the first failure of a run of them is told. */
  private ack(ev: Ev<'ack'>, i: number): void {
    if (ev.error === 'NONE') {
      for (const k of [...this.retrying]) if (k.startsWith(`${ev.producer}|${ev.tp}|`)) this.retrying.delete(k);
      this.failing.delete(`${ev.producer}|${ev.tp}`);
      return;
    }
    const key = `${ev.producer}|${ev.tp}`;
    if (this.failing.has(key)) return;
    this.failing.add(key);
    this.add(
      ev,
      i,
      'error',
      `producer ${ev.producer} → ${ev.tp}: send failed for the application: ${ev.message !== undefined ? `${ev.error}: ${ev.message}` : errorWords(ev.error)} after ${ev.attempts} attempt(s) (more may follow)`,
      { tp: ev.tp, severe: true },
    );
  }
}

type Ev<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

const CLIENT_WORDS: Record<Ev<'client'>['state'], string> = {
  started: 'started',
  crashed: 'crashed',
  stopped: 'stopped (closed cleanly: a consumer commits and leaves its group)',
  failed: 'stopped: its application failed',
};

/** Why a broker stopped itself (the broker event's reason), after "halted: ", "is shutting down: " or "stopped: ". */
const STOP_WORDS: Record<NonNullable<Ev<'broker'>['reason']>, string> = {
  allLogDirsFailed: 'every one of its log directories has failed, and Kafka halts a broker with none left (LogManager); it starts again only once a disk is replaced',
  metadataLogDirFailed:
    'the failed disk held its metadata log (metadata.log.dir, by default the first of log.dirs), and Kafka halts then ("Shutdown broker because the metadata log dir ... has failed"); it starts again only once that disk is replaced',
  logDirFailureTimeout:
    'no heartbeat telling the controller of its failed log directory was answered within log.dir.failure.timeout.ms, so the broker shuts itself down (KIP-858) rather than stay up with replicas it cannot serve that the controller does not know are gone',
  controlledShutdownTimedOut:
    'the controller did not let its controlled shutdown finish within the shutdown’s 5 minutes ("Timed out waiting for the controller to approve controlled shutdown"), so it stopped without: its leaderships move only once the controller fences it',
};

function brokerText(ev: Ev<'broker'>): string {
  const b = `broker ${ev.broker}`;
  if (ev.reason !== undefined) return `${b} ${ev.state === 'crashed' ? 'halted' : ev.state === 'shuttingDown' ? 'is shutting down' : ev.state}: ${STOP_WORDS[ev.reason]}`;
  return ev.state === 'crashed'
    ? ev.mode === 'power'
      ? `${b} lost power: data not yet flushed to disk is gone`
      : `${b} crashed (process killed; its log on disk survives)`
    : ev.state === 'running'
      ? `${b} is running again`
      : ev.state === 'paused'
        ? `${b} paused (a stop-the-world stall: no heartbeats, no fetches)`
        : ev.state === 'stopped'
          ? `${b} finished its controlled shutdown and stopped`
          : `${b} is shutting down`;
}

/** A truncation's text and item fields; `lost`: the acknowledged records it lost. */
function truncateText(ev: Ev<'truncate'>, lost: number): [string, Partial<NarrativeItem>] {
  let text = `broker ${ev.broker} truncated ${ev.tp} to offset ${ev.to}, removing ${ev.removed} record(s): ${TRUNCATION_WORDS[ev.reason]}`;
  if (lost > 0) text += `; ${lost} acknowledged record(s) are now on no replica: LOST`;
  return [text, { tp: ev.tp, severe: lost > 0 }];
}

function truncationDetectedText(ev: Ev<'truncationDetected'>): string {
  return ev.reset === 'divergence'
    ? `consumer ${ev.consumer} checked its position on ${ev.tp} after the leader change (KIP-320): the log was truncated at offset ${ev.truncatedTo}, below its position ${ev.position}, so it goes back to ${ev.truncatedTo} and reads the new records`
    : `consumer ${ev.consumer} found ${ev.tp} truncated at offset ${ev.truncatedTo}, below its position ${ev.position} (KIP-320); with auto.offset.reset=none it stops: LogTruncationException`;
}

/** "b1>b2","b2>b1" → "broker 1 ↔ broker 2". */
function pairs(links: string[]): string {
  const set = new Set(links);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const l of links) {
    const [a, b] = l.split('>');
    if (seen.has(l)) continue;
    seen.add(l);
    if (set.has(`${b}>${a}`)) {
      seen.add(`${b}>${a}`);
      out.push(`${node(a)} ↔ ${node(b)}`);
    } else out.push(`${node(a)} → ${node(b)}`);
  }
  return out.join(', ');
}

/** Whether a fault's text already names a target ("crash broker 3" names "broker 3", not "broker 30"). */
function namesTarget(text: string, target: string): boolean {
  const at = text.indexOf(target);
  return at >= 0 && !/[\w]/.test(text.charAt(at + target.length));
}
