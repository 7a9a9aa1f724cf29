/**
 * The narrative of consumer groups: rebalances in plain words (why a member was removed, what each member
 * gave up, the generation that became stable and its assignment), partitions nobody consumed and for how
 * long, failed commits, coordinator moves and records a group received again. NarrativeBuilder hands it
 * the group events; an item that more events complete (a stable generation's assignment, a run of
 * redelivered records) has its text updated as they come.
 */
import type { AssignmentEvent, ClientEvent, CommitEvent, CoordinatorEvent, FaultEvent, GroupEvent, PositionEvent } from '../../sim/index.js';
import type { Redelivery } from './group-series.js';
import type { GroupFrame } from './groups.js';

/** What this module adds to the narrative (NarrativeItem's fields). */
export interface GroupItem {
  i: number;
  t: number;
  kind: 'group';
  text: string;
  tp?: string;
  severe?: boolean;
}

/** Seconds with one decimal, or ms below 1 s. */
const dur = (us: number): string => (Math.abs(us) < 1_000_000 ? `${Math.round(us / 1000)} ms` : `${(us / 1e6).toFixed(1)} s`);
const at = (us: number): string => `${(us / 1e6).toFixed(3)} s`;

/** ["orders-0", "orders-2", "audit-1"] → "orders-0,2 audit-1" (nothing: "nothing"). */
export function tpList(tps: readonly string[]): string {
  if (tps.length === 0) return 'nothing';
  const by = new Map<string, string[]>();
  for (const tp of tps) {
    const k = tp.lastIndexOf('-');
    const topic = tp.slice(0, k);
    by.set(topic, [...(by.get(topic) ?? []), tp.slice(k + 1)]);
  }
  return [...by].map(([t, ps]) => `${t}-${ps.join(',')}`).join(' ');
}

interface Open {
  item: GroupItem;
  parts: string[];
  head: string;
}

export class GroupNarrative {
  /** Per group: the item of its stable generation, completed by the members' assignments. */
  private readonly stable = new Map<string, Open & { generation: number }>();
  /** Per group: the item telling what its members gave up for the rebalance under way. */
  private readonly revoking = new Map<string, Open & { generation: number }>();
  /** Per group: when its rebalance began. */
  private readonly rebalanceSince = new Map<string, number>();
  /** Partitions whose owner crashed or closed, by partition: since when, who, and whether it crashed. */
  private readonly orphaned = new Map<string, { sinceUs: number; owner: string; crashed: boolean }>();
  /** Per consumer: the positions its last assignment set (position events come just before it). */
  private readonly positions = new Map<string, PositionEvent[]>();
  private readonly failed = new Set<string>();
  /** Runs of redelivered records being told, by group, partition and consumer (until the group's next stable generation). */
  private readonly redeliveries = new Map<string, { item: GroupItem; count: number; first: number; last: number }>();
  private readonly states = new Map<string, GroupEvent['state']>();
  /** Consumers being closed (a shutdown fault, or their close() commit): what they revoke they give up for good. */
  private readonly closing = new Set<string>();
  /** Groups a coordinator has been named for: the first `coordinator` event of a group is its creation. */
  private readonly coordinated = new Set<string>();

  constructor(private readonly push: (item: GroupItem) => void) {}

  group(ev: GroupEvent, i: number): void {
    const prev = this.states.get(ev.group);
    this.states.set(ev.group, ev.state);
    const name = `group ${ev.group}`;
    const removed = /\bremoved\b/.test(ev.reason);
    const left = removed || /\bleft\b/.test(ev.reason);
    if (ev.state === 'PreparingRebalance' && (prev !== 'PreparingRebalance' || left)) {
      if (prev !== 'PreparingRebalance') this.rebalanceSince.set(ev.group, ev.t);
      const who = ev.members.length > 1 ? `members ${ev.members.join(', ')} must rejoin (each stops` : `member ${ev.members[0]} must rejoin (it stops`;
      const rest = ev.generation > 0 && ev.members.length > 0 ? `; ${who} processing when it gives up its partitions)` : '';
      this.push({ i, t: ev.t, kind: 'group', text: `${name} (coordinator broker ${ev.coordinator}): ${ev.reason}${rest}`, severe: removed });
    } else if (ev.state === 'Stable' && prev !== 'Stable') {
      const since = this.rebalanceSince.get(ev.group);
      this.rebalanceSince.delete(ev.group);
      const took = since !== undefined && ev.generation > 1 ? `, ${dur(ev.t - since)} after the rebalance began` : '';
      // A KIP-848 group has no leader: the coordinator assigns, and `generation` is its group epoch.
      const head =
        ev.leader === undefined && ev.protocol !== undefined
          ? `${name}: group epoch ${ev.generation} is stable: every member has reconciled to the ${ev.protocol} assignor's target`
          : `${name}: generation ${ev.generation} is stable (${ev.protocol ?? 'no'} assignor, leader ${ev.leader ?? 'none'})${took}`;
      const item: GroupItem = { i, t: ev.t, kind: 'group', text: head };
      this.stable.set(ev.group, { item, parts: [], head, generation: ev.generation });
      for (const k of [...this.redeliveries.keys()]) if (k.startsWith(`${ev.group}|`)) this.redeliveries.delete(k);
      this.push(item);
    } else if ((ev.state === 'Assigning' || ev.state === 'Reconciling') && (prev !== ev.state || left || /\bjoined\b/.test(ev.reason))) {
      // KIP-848: a new group epoch; only the members whose target changed revoke or get partitions.
      this.push({ i, t: ev.t, kind: 'group', text: `${name} (coordinator broker ${ev.coordinator}): group epoch ${ev.generation}: ${ev.reason}`, severe: removed });
    } else if ((ev.state === 'Empty' || ev.state === 'Dead') && prev !== ev.state) {
      this.push({ i, t: ev.t, kind: 'group', text: `${name} is ${ev.state === 'Empty' ? 'empty (no members; its committed offsets stay)' : 'dead'}: ${ev.reason}` });
    }
  }

  position(ev: PositionEvent): void {
    const l = this.positions.get(ev.consumer);
    if (l !== undefined && l[0].t === ev.t) l.push(ev);
    else this.positions.set(ev.consumer, [ev]);
  }

  assignment(ev: AssignmentEvent, i: number): void {
    if (ev.revoked.length > 0) this.revoked(ev, i);
    if (ev.lost.length > 0) {
      this.push({
        i,
        t: ev.t,
        kind: 'group',
        text: `${ev.consumer} lost ${tpList(ev.lost)}: it is no longer a member of group ${ev.group}, so it gives ${ev.lost.length > 1 ? 'them' : 'it'} up without committing (the next owner reads again from the last committed offset)`,
        severe: true,
      });
    }
    if (ev.added.length > 0) this.added(ev, i);
  }

  /** What members gave up for a rebalance: one item per group and rebalance, completed member by member. */
  private revoked(ev: AssignmentEvent, i: number): void {
    if (this.closing.has(ev.consumer)) return this.closed(ev, i);
    let o = this.revoking.get(ev.group);
    if (o === undefined || o.generation !== ev.generation) {
      const head = `group ${ev.group}: members gave up their partitions to rebalance (eager protocol: they process nothing until the new assignment)`;
      o = { item: { i, t: ev.t, kind: 'group', text: head }, parts: [], head, generation: ev.generation };
      this.revoking.set(ev.group, o);
      this.push(o.item);
    }
    o.parts.push(`${ev.consumer} revoked ${tpList(ev.revoked)}`);
    o.item.text = `${o.head}: ${o.parts.join('; ')}`;
  }

  /** close() gives the member's partitions up before it leaves: they wait for the group to rebalance. */
  private closed(ev: AssignmentEvent, i: number): void {
    for (const tp of ev.revoked) this.orphaned.set(tp, { sinceUs: ev.t, owner: ev.consumer, crashed: false });
    const them = ev.revoked.length > 1 ? 'them' : 'it';
    this.push({
      i,
      t: ev.t,
      kind: 'group',
      text: `${ev.consumer} revoked ${tpList(ev.revoked)}: it is being closed, so it gives ${them} up and leaves group ${ev.group}; nobody reads ${them} until the group rebalances`,
    });
  }

  private added(ev: AssignmentEvent, i: number): void {
    const s = this.stable.get(ev.group);
    if (s !== undefined && s.generation === ev.generation) {
      s.parts.push(`${ev.consumer} ← ${tpList(ev.partitions)}`);
      s.item.text = `${s.head}: ${s.parts.join(', ')}`;
    }
    const pos = (this.positions.get(ev.consumer) ?? []).filter((p) => p.t === ev.t);
    const byOwner = new Map<string, { sinceUs: number; crashed: boolean; tps: string[] }>();
    for (const tp of ev.added) {
      const o = this.orphaned.get(tp);
      if (o === undefined) continue;
      this.orphaned.delete(tp);
      const x = byOwner.get(o.owner) ?? { sinceUs: o.sinceUs, crashed: o.crashed, tps: [] };
      x.tps.push(tp);
      byOwner.set(o.owner, x);
    }
    for (const [owner, x] of byOwner) {
      const from = pos.filter((p) => x.tps.includes(p.tp)).map((p) => `${p.tp} from offset ${p.offset} (${p.from === 'committed' ? 'the committed offset' : `auto.offset.reset=${p.from}`})`);
      this.push({
        i,
        t: ev.t,
        kind: 'group',
        text: `${tpList(x.tps)} went unconsumed for ${dur(ev.t - x.sinceUs)}: ${owner} ${x.crashed ? `crashed at ${at(x.sinceUs)} and kept ${x.tps.length > 1 ? 'them' : 'it'} until the coordinator removed it` : `closed at ${at(x.sinceUs)} and left the group, which rebalanced`}; now ${ev.consumer} reads ${from.length > 0 ? from.join(', ') : 'them'}`,
        severe: x.crashed,
      });
    }
  }

  /** A consumer that crashed or closed leaves its partitions unconsumed until the group gives them to another member. */
  client(ev: ClientEvent, f: Readonly<GroupFrame>): void {
    if (!ev.node.startsWith('c:')) return;
    this.closing.delete(ev.node.slice(2));
    if (ev.state === 'started') return;
    const m = f.members[ev.node.slice(2)];
    if (m === undefined) return;
    for (const tp of m.partitions) this.orphaned.set(tp, { sinceUs: ev.t, owner: m.consumer, crashed: ev.state === 'crashed' });
  }

  /** A shutdown fault: the consumers it closes. */
  fault(ev: FaultEvent): void {
    if (ev.verb !== 'shutdown' || ev.rejected !== undefined) return;
    for (const n of ev.targets) if (n.startsWith('c:')) this.closing.add(n.slice(2));
  }

  commit(ev: CommitEvent, i: number): void {
    if (ev.kind === 'close') this.closing.add(ev.consumer);
    if (ev.error === 'NONE') return;
    const key = `${ev.consumer}|${ev.error}`;
    if (this.failed.has(key)) return;
    this.failed.add(key);
    const why =
      ev.error === 'CommitFailedException'
        ? ': the group rebalanced and gave its partitions to other members, so its offsets are refused; the records it processed since its last commit will be read again'
        : ev.error === 'COORDINATOR_NOT_AVAILABLE' || ev.error === 'NOT_COORDINATOR' || ev.error === 'COORDINATOR_LOAD_IN_PROGRESS'
          ? ' (retriable: the consumer looks for the coordinator again and commits later; until then a crash would replay more)'
          : '';
    this.push({ i, t: ev.t, kind: 'group', text: `${ev.consumer}'s offset commit (${ev.kind}) for group ${ev.group} failed: ${ev.error}${why} (more may follow)`, severe: true });
  }

  coordinator(ev: CoordinatorEvent, i: number): void {
    const created = ev.loaded && ev.offsets === 0 && !this.coordinated.has(ev.group);
    this.coordinated.add(ev.group);
    if (created) {
      const text = `broker ${ev.broker} coordinates group ${ev.group}: it leads ${ev.tp}, the group's __consumer_offsets partition, and creates the group there (nothing committed yet)`;
      return this.push({ i, t: ev.t, kind: 'group', text, tp: ev.tp, severe: false });
    }
    const text = ev.loaded
      ? `broker ${ev.broker} is now the coordinator of group ${ev.group}: it leads ${ev.tp} and loaded the group's ${ev.offsets} committed offset(s) from its log`
      : `broker ${ev.broker} no longer coordinates group ${ev.group} (it stopped leading ${ev.tp}); its members must find the new coordinator`;
    this.push({ i, t: ev.t, kind: 'group', text, tp: ev.tp, severe: !ev.loaded });
  }

  /** Records a group received again: one item per group, partition and consumer while they come one after another. */
  redelivered(r: Redelivery): void {
    const key = `${r.group}|${r.tp}|${r.consumer}`;
    let x = this.redeliveries.get(key);
    if (x !== undefined) {
      x.count += r.count;
      x.first = Math.min(x.first, r.first);
      x.last = Math.max(x.last, r.last);
    } else {
      x = { item: { i: r.i, t: r.t, kind: 'group', text: '', tp: r.tp }, count: r.count, first: r.first, last: r.last };
      this.redeliveries.set(key, x);
      this.push(x.item);
    }
    x.item.text = `${r.consumer} received ${x.count} record(s) of ${r.tp} again (offsets ${x.first}..${x.last}): group ${r.group} had received them before but not committed them (at-least-once redelivery)`;
  }
}
