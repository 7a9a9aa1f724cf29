/**
 * The groups panel, above the narrative: per consumer group at the cursor, its state, generation and
 * coordinator; each member's partitions now and in the generation before, and whether it processes them,
 * is paused by a rebalance or is down (with the partitions nobody reads meanwhile); the records the group
 * received again so far, and those it skipped (the run's checks: below its final position, never received);
 * and its lag over the run, with the cursor. Comparing, run B has its own, in its
 * column below its partitions.
 */
import type { RunSummary, SkippedRecords } from '../../sim/index.js';
import type { Frame } from '../derive/frames.js';
import type { GroupView } from '../derive/groups.js';
import type { GroupSeries, LagPoint } from '../derive/group-series.js';
import type { Model } from '../derive/model.js';
import { fmtDuration, fmtTime, type NarrativeItem } from '../derive/narrative.js';
import { compactTps } from '../views/cluster.js';
import type { GroupMark } from '../views/partitions.js';
import type { App } from './state.js';
import { $ } from './ui.js';

const NS = 'http://www.w3.org/2000/svg';
const LAG_W = 400;
const LAG_H = 26;

function el<K extends keyof HTMLElementTagNameMap>(parent: Element, tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls !== undefined) e.className = cls;
  parent.append(e);
  return e;
}

const tps = (xs: readonly string[] | undefined): string => (xs === undefined || xs.length === 0 ? '—' : compactTps([...xs]));

/** A run's groups panel: where it goes, the run's model and summary, and the groups folded there. */
interface PanelOf {
  root: HTMLElement;
  model: Model;
  summary: RunSummary | null;
  folded: Set<string>;
}

/** Groups whose details the user folded, in A's panel and in B's. */
const folded = new Set<string>();
const foldedB = new Set<string>();

/** Draws A's panel at the cursor. */
export function renderGroups(app: App, frame: Frame): void {
  drawGroups({ root: $('groups'), model: app.state.model, summary: app.state.summary, folded }, frame);
}

/** Draws B's panel at B's frame (compare mode). */
export function renderCompareGroups(app: App, frame: Frame): void {
  drawGroups({ root: $('cmp-groups'), model: app.cmp.model, summary: app.cmp.summary, folded: foldedB }, frame);
}

/** Draws a run's panel (rebuilt when the groups, members, clients or the count of redelivered records change). */
function drawGroups(of: PanelOf, frame: Frame): void {
  const root = of.root;
  const groups = Object.values(frame.groups);
  root.hidden = groups.length === 0;
  if (groups.length === 0) return;
  const series = of.model.groups;
  const redelivered = groups.map((g) => series.redeliveredAt(g.group, frame.index));
  // Its texts tell durations at the cursor (redrawn every 0.1 s of simulated time), the lag grows while loading.
  const key = `${redelivered.map((r) => r.records).join()}|${Math.floor(frame.t / 100_000)}|${series.samples}`;
  const summary = of.summary;
  const cache = root as HTMLElement & { __of?: { groups: object; members: object; clients: object; key: string; series: GroupSeries; summary: object | null } };
  const c = cache.__of;
  if (c !== undefined && c.groups === frame.groups && c.members === frame.members && c.clients === frame.clients && c.key === key && c.series === series && c.summary === summary) return;
  cache.__of = { groups: frame.groups, members: frame.members, clients: frame.clients, key, series, summary };
  root.replaceChildren();
  groups.forEach((g, k) => {
    // A group's details fold into its head line (kept folded across redraws): the narrative needs the room on a small screen.
    const sec = el(root, 'details', undefined, 'grp');
    sec.open = !of.folded.has(g.group);
    sec.addEventListener('toggle', () => (sec.open ? of.folded.delete(g.group) : of.folded.add(g.group)));
    sec.dataset.testid = `group-panel-${g.group}`;
    groupHead(sec, g, frame.t);
    memberTable(sec, g, frame);
    const r = redelivered[k];
    const red = el(sec, 'div', undefined, 'grp-red');
    red.dataset.testid = 'group-redelivered';
    red.dataset.records = String(r.records);
    red.textContent = `received again so far: ${r.records.toLocaleString()} record(s)${r.records > 0 ? ` (${[...r.byTp].map(([tp, x]) => `${tp} ${x.first}..${x.last}`).join(', ')})` : ''}`;
    skippedLine(sec, skippedOf(summary, g.group));
    // The checks' counters of the whole run (a run's summary; a trace file has none), for every reader together.
    const rec = summary?.records;
    if (rec !== undefined) {
      const whole = el(
        sec,
        'div',
        `whole run (checks): redelivered ${rec.redelivered.toLocaleString()} · duplicated ${rec.duplicated.toLocaleString()} · skipped ${rec.skipped.toLocaleString()}`,
        'grp-whole',
      );
      whole.dataset.testid = 'group-checks';
      whole.title = 'the checks count every reader of the run together: the groups and consumers outside groups';
    }
    const header = of.model.index.events[0];
    lagChart(sec, series.lagUntil(g.group, Infinity), frame.t, header?.type === 'header' ? header.durationUs : frame.t);
  });
}

/** Per partition, the records a group skipped over the whole run (the checks'; none without a summary: a trace file). */
export function skippedOf(summary: RunSummary | null, group: string): Map<string, SkippedRecords> {
  const out = new Map<string, SkippedRecords>();
  for (const r of summary?.skipped ?? []) if (r.reader === `group ${group}`) out.set(r.partition, r);
  return out;
}

const withSkippedMemo = new WeakMap<object, { n: number; summary: RunSummary | null; out: NarrativeItem[] }>();

/**
 * A run's narrative and, once its summary came, a line at its end with the records each reader skipped over
 * the run (the checks', per reader and partition: below its final position, never received).
 */
export function withSkipped(model: Model, summary: RunSummary | null): NarrativeItem[] {
  const items = model.items;
  const events = model.index.events;
  const end = events.length - 1;
  if (summary === null || summary.skipped.length === 0 || events[end]?.type !== 'end') return items;
  const memo = withSkippedMemo.get(items);
  if (memo !== undefined && memo.n === items.length && memo.summary === summary) return memo.out;
  const each = summary.skipped.map((r) => `${r.reader} skipped ${r.records.toLocaleString()} record(s) of ${r.partition} (${r.offsets}, below its final position ${r.position})`);
  const text = `the checks at the end: ${each.join('; ')}: never received (at-most-once: committed, or jumped over, before they were read)`;
  const out = [...items, { i: end, t: events[end].t, kind: 'group' as const, text, severe: true }];
  withSkippedMemo.set(items, { n: items.length, summary, out });
  return out;
}

/** The records a group skipped, when it skipped some: at-most-once, committed before they were processed. */
function skippedLine(sec: HTMLElement, by: Map<string, SkippedRecords>): void {
  if (by.size === 0) return;
  let n = 0;
  for (const r of by.values()) n += r.records;
  const list = [...by.values()].map((r) => `${r.partition} ${r.offsets.replace(/^offsets /, '')}`).join(', ');
  const div = el(sec, 'div', `skipped (whole run, checks): ${n.toLocaleString()} record(s) never received, below its final position (${list})`, 'grp-skip');
  div.dataset.testid = 'group-skipped';
  div.dataset.records = String(n);
  div.title = 'at-most-once: the group committed past records none of its members received (processed): a crash after committing, or commits of records handed to worker threads';
}

function groupHead(sec: HTMLElement, g: GroupView, frameT: number): void {
  const head = el(sec, 'summary', undefined, 'grp-head');
  head.dataset.testid = 'group-head';
  el(head, 'b', `group ${g.group}`);
  const state = g.rebalanceSinceUs !== undefined ? `rebalancing (${g.state})` : g.state;
  const coord = g.coordinator < 0 ? 'coordinator unknown' : `coordinator broker ${g.coordinator}${g.coordinatorTp === '' ? '' : ` (${g.coordinatorTp})`}`;
  head.append(` · ${state} · generation ${g.generation} · ${coord}`);
  const r = g.lastRebalance;
  if (r !== undefined && g.rebalanceSinceUs === undefined) {
    const last = el(head, 'span', ` · last rebalance ${fmtDuration(r.toUs - r.fromUs)} (${fmtTime(r.fromUs)} → generation ${r.generation})`);
    last.dataset.testid = 'group-last-rebalance';
  } else if (g.rebalanceSinceUs !== undefined) head.append(` · for ${fmtDuration(Math.max(0, frameT - g.rebalanceSinceUs))}`);
  if (g.failedCommits > 0 && g.lastFailure !== undefined) {
    const f = el(sec, 'div', `${g.failedCommits} failed commit(s), last: ${g.lastFailure.consumer} ${g.lastFailure.error} at ${fmtTime(g.lastFailure.t)}`, 'grp-fail');
    f.dataset.testid = 'group-failed-commits';
  }
}

function memberTable(sec: HTMLElement, g: GroupView, frame: Frame): void {
  const table = el(sec, 'table', undefined, 'grp-members');
  table.dataset.testid = 'group-members';
  const hr = el(table, 'tr');
  el(hr, 'th', 'member');
  // The assignment of the generation before (if any) and of this one: before and after the last rebalance.
  if (g.before !== undefined) el(hr, 'th', `gen ${g.before.generation}`);
  el(hr, 'th', `gen ${g.generation}`);
  el(hr, 'th', 'at the cursor');
  const names = Object.values(frame.members)
    .filter((m) => m.group === g.group)
    .map((m) => m.consumer)
    .sort();
  for (const name of names) {
    const tr = el(table, 'tr');
    tr.dataset.member = name;
    el(tr, 'td', name);
    if (g.before !== undefined) el(tr, 'td', tps(g.before.owners[name])).dataset.col = 'before';
    el(tr, 'td', tps(g.owners[name])).dataset.col = 'now';
    const st = memberText(g, name, frame);
    const td = el(tr, 'td', st.text, `st-${st.state}`);
    td.dataset.col = 'state';
    tr.dataset.state = st.state;
    tr.dataset.owns = frame.members[name].partitions.join(',');
  }
}

/** A member's state at the cursor, in words. */
export function memberText(g: GroupView, name: string, frame: Frame): { state: string; text: string } {
  const m = frame.members[name];
  const c = frame.clients[`c:${name}`];
  if (c !== undefined && !c.up && c.sinceUs !== undefined && c.sinceUs > 0) {
    const inGroup = g.members.includes(name);
    const unread = inGroup && m.partitions.length > 0 ? `: ${tps(m.partitions)} unread for ${fmtDuration(frame.t - c.sinceUs)}` : '';
    if (c.state === 'stopped') return { state: 'down', text: `closed at ${fmtTime(c.sinceUs)}${inGroup ? unread : ', left the group'}` };
    return { state: 'down', text: `down since ${fmtTime(c.sinceUs)}${inGroup ? unread : ', removed'}` };
  }
  if (m.pausedSinceUs !== undefined) return { state: 'paused', text: `paused ${fmtDuration(frame.t - m.pausedSinceUs)}: gave up ${tps(m.revoked.length > 0 ? m.revoked : m.lost)}` };
  const last = m.lastPause !== undefined ? ` (paused ${fmtDuration(m.lastPause.toUs - m.lastPause.fromUs)} at ${(m.lastPause.fromUs / 1e6).toFixed(1)} s)` : '';
  if (m.partitions.length === 0) return { state: 'idle', text: `${m.generation > 0 ? 'owns nothing' : 'joining'}${last}` };
  return { state: 'processing', text: `reading${last}` };
}

/** The lag over the run (committed: light; read position: dark) and the cursor. */
function lagChart(sec: HTMLElement, pts: LagPoint[], tUs: number, durationUs: number): void {
  const row = el(sec, 'div', undefined, 'grp-lag');
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('height', String(LAG_H));
  svg.setAttribute('viewBox', `0 0 ${LAG_W} ${LAG_H}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.dataset.testid = 'group-lag';
  row.append(svg);
  const max = Math.max(1, ...pts.map((p) => p.committed));
  const x = (t: number): number => Math.round((t / Math.max(1, durationUs)) * (LAG_W - 2) * 10) / 10 + 1;
  const y = (v: number): number => Math.round((LAG_H - 2 - (v / max) * (LAG_H - 4)) * 10) / 10;
  for (const [cls, f] of [
    ['lag-committed', (p: LagPoint) => p.committed],
    ['lag-read', (p: LagPoint) => p.read],
  ] as const) {
    const line = document.createElementNS(NS, 'polyline');
    line.setAttribute('class', cls);
    line.setAttribute('points', pts.map((p) => `${x(p.t)},${y(f(p))}`).join(' '));
    svg.append(line);
  }
  const cur = document.createElementNS(NS, 'line');
  cur.setAttribute('class', 'lag-cursor');
  for (const [k, v] of [
    ['x1', x(tUs)],
    ['x2', x(tUs)],
    ['y1', 0],
    ['y2', LAG_H],
  ] as const)
    cur.setAttribute(k, String(v));
  svg.append(cur);
  const now = pts.filter((p) => p.t <= tUs).at(-1);
  const cap = el(row, 'div', `lag: ${now?.read.toLocaleString() ?? 0} unread (dark) · ${now?.committed.toLocaleString() ?? 0} uncommitted (light) · top ${max.toLocaleString()}`, 'grp-lag-text');
  cap.dataset.testid = 'group-lag-text';
  cap.title = 'lag = the partitions’ high watermark minus the group’s read position (dark) or its committed offsets (light), summed over its partitions';
}

/**
 * Per partition of a group's topics, a note for the partitions view (who in the group reads it, or that its
 * owner is down or it is being reassigned; the group's committed offset; the records of it the group
 * received again so far; the records it skipped over the whole run, from the run's summary), and marks on its
 * leader's log: the committed offset, the records received again and the records skipped.
 */
export function partitionNotes(model: Model, frame: Frame, summary: RunSummary | null): { notes: Map<string, string[]>; marks: Map<string, GroupMark[]> } {
  const notes = new Map<string, string[]>();
  const marks = new Map<string, GroupMark[]>();
  const series = model.groups;
  for (const g of Object.values(frame.groups)) {
    const red = series.redeliveredAt(g.group, frame.index).byTp;
    const skipped = skippedOf(summary, g.group);
    for (const tp in frame.partitions) {
      if (!g.topics.includes(frame.partitions[tp].topic)) continue;
      // A member of the group now before one that was removed (a crashed member still believes it owns its partitions).
      const holders = Object.values(frame.members).filter((m) => m.group === g.group && m.partitions.includes(tp));
      const owner = holders.find((m) => g.members.includes(m.consumer)) ?? holders[0];
      const down = owner !== undefined && frame.clients[`c:${owner.consumer}`]?.up === false;
      const who = owner === undefined ? (g.rebalanceSinceUs !== undefined ? 'being reassigned' : 'unassigned') : `${owner.consumer}${down ? ' (down)' : ''}`;
      const c = g.committed[tp];
      const r = red.get(tp);
      const sk = skipped.get(tp);
      const skip = sk === undefined ? '' : `, ${sk.records} skipped (${sk.first}..${sk.last})`;
      const note = `${g.group}: ${who}${c === undefined ? '' : `, committed ${c}`}${r === undefined ? '' : `, ${r.count} received again (${r.first}..${r.last})`}${skip}`;
      notes.set(tp, [...(notes.get(tp) ?? []), note]);
      const mk: GroupMark = { group: g.group };
      if (c !== undefined) mk.committed = c;
      if (r !== undefined) mk.again = { ...r };
      if (sk !== undefined) mk.skipped = { count: sk.records, first: sk.first, last: sk.last, offsets: sk.offsets };
      marks.set(tp, [...(marks.get(tp) ?? []), mk]);
    }
  }
  return { notes, marks };
}
