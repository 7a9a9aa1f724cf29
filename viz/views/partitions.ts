/**
 * The partition view: per partition, each replica's log as a bar of records by offset, colored by state
 * (only on the leader, replicated, committed, acknowledged), with LEO and HW markers, the leader badge,
 * ISR/ELR membership, leader-epoch boundaries, truncated ranges (hatched) and lost acknowledged records.
 * While a reassignment runs (KIP-455), the replicas being added and those to remove are marked.
 */
import * as d3 from 'd3';
import { firstDivergence, recordRuns, type Frame, type PartitionView } from '../derive/frames.js';
import { coordinatorTps, shownPartition } from '../derive/groups.js';
import type { Size } from './cluster.js';
import { BROKER_COLORS, RECORD_COLORS } from './colors.js';
import { mk, pool, set, text, type El } from './dom.js';
import { TRUNCATION_SHORT } from '../../sim/index.js';

export type LogWindow = 'whole' | 'tail';

export interface PartitionOptions {
  window: LogWindow;
  /** Offsets shown in tail mode. */
  tail?: number;
  large?: boolean;
  /**
   * Per partition, what each consumer group does with it (its reader, committed offset, records received
   * again), one note per group: after its info line, or on lines of their own below it when that is too long.
   */
  notes?: ReadonlyMap<string, readonly string[]>;
  /** Per partition, marks on its leader's log: each group's committed offset, the records it received again and those it skipped. */
  marks?: ReadonlyMap<string, readonly GroupMark[]>;
  /** Records a check's violation involves: outlined across the partition's rows (offset ranges, inclusive). */
  highlight?: { tp: string; offsets: ReadonlyArray<readonly [number, number]>; label: string };
}

/** A consumer group's marks on a partition's leader log. */
export interface GroupMark {
  group: string;
  /** The group's committed offset (the next to read). */
  committed?: number;
  /** Records it received again: how many, the first and last offset. */
  again?: { count: number; first: number; last: number };
  /** Records it skipped over the whole run (below its final position, never received): how many, the first and last offset, the offsets text. */
  skipped?: { count: number; first: number; last: number; offsets: string };
}

/** The height the view needs for this frame (`width`: the view's, for the group notes that need lines of their own). */
export function partitionsHeight(frame: Frame, opts: PartitionOptions, width?: number): number {
  const m = metrics(opts);
  const { parts, coords } = shownPartitions(frame);
  let h = 4;
  for (const p of parts) h += blockHeight(p, blockMetrics(m, width === undefined ? 1 : infoLines(p, coords.get(p.tp), opts, width).length));
  return Math.max(h, 40);
}

const shownCache = new WeakMap<object, { partitions: Frame['partitions']; out: { parts: PartitionView[]; coords: Map<string, string[]> } }>();

/**
 * The partitions the view shows: every partition but those of __consumer_offsets (50 internal partitions
 * by default), except the ones that coordinate a group; and per coordinating partition, its groups.
 */
export function shownPartitions(frame: Frame): { parts: PartitionView[]; coords: Map<string, string[]> } {
  const c = shownCache.get(frame.groups);
  if (c !== undefined && c.partitions === frame.partitions) return c.out;
  const coords = coordinatorTps(frame);
  const keys = new Set(coords.keys());
  const out = { parts: Object.values(frame.partitions).filter((p) => shownPartition(p.tp, p.topic, keys)), coords };
  shownCache.set(frame.groups, { partitions: frame.partitions, out });
  return out;
}

function metrics(opts: PartitionOptions): { title: number; row: number; gap: number; label: number; right: number; lost: number; line: number; char: number } {
  const k = opts.large ? 1.35 : 1;
  // line: a further line of the info text; char: the average width of its characters, a little over.
  return { title: 22 * k, row: 17 * k, gap: 6 * k, label: 118 * k, right: 150 * k, lost: 16 * k, line: 15 * k, char: opts.large ? 10.2 : 7 };
}

/** A block's metrics when its info takes `lines` lines: the head grows by the lines after the first. */
function blockMetrics(m: ReturnType<typeof metrics>, lines: number): ReturnType<typeof metrics> {
  return lines <= 1 ? m : { ...m, title: m.title + (lines - 1) * m.line };
}

/** Where a block's info text starts: after its name (a long one, __consumer_offsets-39, pushes it right). */
function infoX(p: PartitionView, opts: PartitionOptions): number {
  const m = metrics(opts);
  return Math.max(m.label, 6 + p.tp.length * (opts.large ? 9.5 : 7.2) + 10);
}

/**
 * A block's info text: one line (coordinator of, leader, epoch, ISR, …, then each group's note) when it fits
 * the width; else the groups' notes each on a line of its own below the rest (two groups reading one topic).
 */
function infoLines(p: PartitionView, groups: string[] | undefined, opts: PartitionOptions, width: number): string[] {
  const head = `${groups === undefined ? '' : `coordinator of group ${groups.join(', ')} · `}${infoText(p)}`;
  const notes = opts.notes?.get(p.tp) ?? [];
  if (notes.length === 0) return [head];
  const one = `${head} · ${notes.join(' · ')}`;
  if (one.length * metrics(opts).char <= width - infoX(p, opts) - 6) return [one];
  // Each note keeps its " · " (a space's indent on its line), so the text reads the same as on one line.
  return [head, ...notes.map((n) => ` · ${n}`)];
}

function blockHeight(p: PartitionView, m: ReturnType<typeof metrics>): number {
  return m.title + p.replicas.length * (m.row + m.gap) + (p.lostCount > 0 ? m.lost : 0) + 12;
}

const list = (xs: readonly number[]): string => `[${xs.join(',')}]`;

// ---- retained drawing: elements are kept per svg and an attribute is written only when its value changes;
// a partition whose frame object (structurally shared between frames), broker states and layout are the
// same as at the last draw is skipped altogether, and so is one scrolled out of view (only its data-*
// attributes are kept up to date; it is drawn when scrolled back into view). Rewriting every attribute of
// every partition each frame (and a <title> per record run) made playback slow.

const px = (v: number): number => Math.round(v * 10) / 10;

interface Row {
  b: number;
  g: El;
  circle: El;
  rname: El;
  rbadge: El;
  track: El;
  runs: SVGGElement & El & { __runs?: StateRunLike[] };
  runsTitle: El;
  cells: El;
  trunc: El;
  diverge: El;
  epochs: El;
  hw: El;
  leo: El;
  offsets: El;
  /** What the cell dividers were drawn for. */
  cellsKey?: string;
}

interface StateRunLike {
  start: number;
  end: number;
  state: string;
}

interface Block {
  tp: string;
  g: El;
  bg: El;
  title: El;
  info: El;
  rowsG: El;
  lostG: El;
  /** Consumer groups' marks on the leader's row. */
  marksG: El;
  /** A violation's records, outlined over every row. */
  hlG: El;
  rows: Row[];
  /** The partition drawn last, and the one its data-* attributes and position are of. */
  last?: PartitionView;
  dataOf?: PartitionView;
  top?: number;
  /** The lines its info text takes. */
  lines?: number;
  lastKey: string;
}

interface ViewState {
  tps: string;
  blocks: Block[];
  parts: SVGGElement;
}

const views = new WeakMap<SVGSVGElement, ViewState>();

/**
 * The part of an svg its scrolling parent shows (svg units: the svg is drawn at scale 1), kept up to date
 * from scroll events and a ResizeObserver (reading scrollTop while drawing would force a layout).
 */
interface Viewport {
  top: number;
  height: number;
  /** The last draw's arguments: a scroll draws the blocks it brings into view. */
  last?: Parameters<typeof drawPartitions>;
}

const viewports = new WeakMap<SVGSVGElement, Viewport>();

/** Blocks this far (px) above or below the visible part are drawn too. */
const MARGIN = 300;

function viewport(svgEl: SVGSVGElement): Viewport {
  let vp = viewports.get(svgEl);
  if (vp !== undefined) return vp;
  const scroller = svgEl.parentElement;
  if (scroller === null || !/(auto|scroll)/.test(getComputedStyle(scroller).overflowY)) {
    vp = { top: 0, height: Infinity };
  } else {
    const v: Viewport = { top: scroller.scrollTop, height: scroller.clientHeight };
    scroller.addEventListener(
      'scroll',
      () => {
        v.top = scroller.scrollTop;
        if (v.last !== undefined) drawPartitions(...v.last);
      },
      { passive: true },
    );
    new ResizeObserver(() => (v.height = scroller.clientHeight)).observe(scroller);
    vp = v;
  }
  viewports.set(svgEl, vp);
  return vp;
}

function makeRow(rowsG: Element, tp: string, b: number): Row {
  const g = mk(rowsG, 'g', 'replica');
  g.setAttribute('data-testid', `replica-${tp}-b${b}`);
  const runs = mk(g, 'g', 'runs');
  const row: Row = {
    b,
    g,
    circle: mk(g, 'circle', 'state'),
    rname: mk(g, 'text', 'rname'),
    rbadge: mk(g, 'text', 'rbadge'),
    track: mk(g, 'rect', 'track'),
    runs,
    runsTitle: mk(runs, 'title'),
    cells: mk(g, 'g', 'cells'),
    trunc: mk(g, 'g', 'trunc'),
    diverge: mk(g, 'g', 'diverge'),
    epochs: mk(g, 'g', 'epochs'),
    hw: mk(g, 'line', 'hw'),
    leo: mk(g, 'line', 'leo'),
    offsets: mk(g, 'text', 'offsets'),
  };
  // g.runs must come before the cells etc. (drawing order): move it after the track.
  g.insertBefore(runs, row.cells);
  row.rname.setAttribute('dominant-baseline', 'central');
  row.rbadge.setAttribute('dominant-baseline', 'central');
  row.offsets.setAttribute('dominant-baseline', 'central');
  // One tooltip for the whole bar, filled in for the run under the pointer.
  runs.addEventListener('mouseover', (e) => {
    const rect = e.target as Element & { __run?: StateRunLike };
    const s = rect.__run;
    if (s !== undefined) row.runsTitle.textContent = `b${b} offsets ${s.start}–${s.end - 1}: ${s.state}`;
  });
  return row;
}

function makeBlock(parts: Element, p: PartitionView): Block {
  const g = mk(parts, 'g', 'partition');
  g.setAttribute('data-testid', `partition-${p.tp}`);
  const bg = mk(g, 'rect', 'bg');
  const title = mk(g, 'text', 'ptitle');
  const info = mk(g, 'text', 'pinfo');
  info.setAttribute('data-testid', `partition-info-${p.tp}`);
  const rowsG = mk(g, 'g', 'rows');
  const lostG = mk(g, 'g', 'lost');
  const marksG = mk(g, 'g', 'groupmarks');
  const hlG = mk(g, 'g', 'violation-highlight');
  title.textContent = p.tp;
  return { tp: p.tp, g, bg, title, info, rowsG, lostG, marksG, hlG, rows: [], lastKey: '' };
}

export function drawPartitions(svgEl: SVGSVGElement, frame: Frame, size: Size, opts: PartitionOptions): void {
  const m = metrics(opts);
  const height = partitionsHeight(frame, opts, size.width);
  const svg = svgEl as SVGSVGElement & El;
  set(svg, 'viewBox', `0 0 ${size.width} ${height}`);
  set(svg, 'width', size.width);
  set(svg, 'height', height);
  defs(d3.select(svgEl));
  const { parts, coords } = shownPartitions(frame);
  const tps = parts.map((p) => p.tp).join('\n');
  let view = views.get(svgEl);
  if (view === undefined || view.tps !== tps || !svgEl.contains(view.parts)) {
    svgEl.querySelector(':scope > g.parts')?.remove();
    const g = mk(svgEl, 'g', 'parts');
    view = { tps, blocks: parts.map((p) => makeBlock(g, p)), parts: g };
    views.set(svgEl, view);
  }
  const vp = viewport(svgEl);
  vp.last = [svgEl, frame, size, opts];
  const x0 = m.label;
  const x1 = Math.max(x0 + 50, size.width - m.right);
  const layoutKey = `${size.width}|${opts.window}|${opts.tail ?? 60}|${opts.large === true}`;
  let y = 4;
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k];
    const blk = view.blocks[k];
    const info = infoLines(p, coords.get(p.tp), opts, size.width);
    const mb = blockMetrics(m, info.length);
    const h = blockHeight(p, mb);
    if (blk.dataOf !== p || blk.top !== y || blk.lines !== info.length) blockData(blk, p, y, mb, info.length);
    set(blk.g, 'data-coordinator-of', coords.get(p.tp)?.join(',') ?? '');
    if (y + h >= vp.top - MARGIN && y <= vp.top + vp.height + MARGIN) {
      let key = `${layoutKey}|${y}|${coords.get(p.tp)?.join() ?? ''}|${info.join('\n')}`;
      for (const g of opts.marks?.get(p.tp) ?? []) key += `|${g.committed}|${g.again?.count}|${g.skipped?.count}`;
      if (opts.highlight?.tp === p.tp) key += `|hl ${opts.highlight.label}`;
      for (const b of p.replicas) key += `|${frame.brokers[b]?.state ?? 'up'}`;
      if (blk.last !== p || blk.lastKey !== key) {
        drawBlock(blk, p, frame, y, mb, x0, x1, size, opts, info);
        blk.last = p;
        blk.lastKey = key;
      }
    } else if (blk.lastKey !== '') {
      // Out of view: drawn again when it comes into view.
      blk.lastKey = '';
    }
    y += h;
  }
}

/** What a block says as data-* attributes (kept up to date out of view too), and where it is. */
function blockData(blk: Block, p: PartitionView, top: number, m: ReturnType<typeof metrics>, lines: number): void {
  blk.dataOf = p;
  blk.top = top;
  blk.lines = lines;
  const g = blk.g;
  set(g, 'transform', `translate(0,${top})`);
  set(g, 'data-leader', p.leader);
  set(g, 'data-epoch', p.leaderEpoch);
  set(g, 'data-isr', p.isr.join(','));
  set(g, 'data-elr', p.elr.join(','));
  set(g, 'data-lost', p.lostCount);
  set(g, 'data-adding', p.adding.join(','));
  set(g, 'data-removing', p.removing.join(','));
  // Rows: one per replica (the replica set rarely changes: rebuild them when it does).
  if (blk.rows.length !== p.replicas.length || blk.rows.some((r, i) => r.b !== p.replicas[i])) {
    for (const r of blk.rows) r.g.remove();
    blk.rows = p.replicas.map((b) => makeRow(blk.rowsG, p.tp, b));
  }
  blk.rows.forEach((row, ri) => {
    const log = p.logs[row.b];
    set(row.g, 'transform', `translate(0,${m.title + ri * (m.row + m.gap)})`);
    set(row.g, 'data-leo', log?.leo ?? 0);
    set(row.g, 'data-hw', log?.hw ?? 0);
    set(row.g, 'data-in-isr', String(p.isr.includes(row.b)));
    set(row.g, 'data-reassign', reassignRole(p, row.b));
    set(row.g, 'class', `replica${p.adding.includes(row.b) ? ' adding' : p.removing.includes(row.b) ? ' removing' : ''}`);
  });
}

/** The offsets a block shows ([d0, d1]), between x0 and x1, `k` px per offset. */
interface Scale {
  d0: number;
  d1: number;
  x0: number;
  x1: number;
  k: number;
  x: (v: number) => number;
}

function drawBlock(blk: Block, p: PartitionView, frame: Frame, top: number, m: ReturnType<typeof metrics>, x0: number, x1: number, size: Size, opts: PartitionOptions, info: readonly string[]): void {
  blockData(blk, p, top, m, info.length);
  drawBlockHead(blk, p, m, size, info, opts);
  const sc = offsetScale(p, opts, x0, x1);
  for (const row of blk.rows) drawRow(row, p, frame, m, sc);
  drawLost(blk, p, m, sc);
  drawGroupMarks(blk, p, m, sc, opts.marks?.get(p.tp) ?? []);
  drawHighlight(blk, p, m, sc, opts.highlight?.tp === p.tp ? opts.highlight : undefined);
}

/**
 * A check's violation: its partition's block outlined, and the records it involves outlined across every
 * row (where the log window shows them; a range beyond it is drawn at the window's edge).
 */
function drawHighlight(blk: Block, p: PartitionView, m: ReturnType<typeof metrics>, sc: Scale, hl: PartitionOptions['highlight']): void {
  blk.g.classList.toggle('highlighted', hl !== undefined);
  const ranges = hl?.offsets ?? [];
  const els = pool(blk.hlG as El & { __kids?: El[] }, ranges.length, (parent) => {
    const r = mk(parent, 'rect');
    mk(r, 'title');
    return r;
  });
  const top = m.title - 3;
  const height = p.replicas.length * (m.row + m.gap) - m.gap + 6 + (p.lostCount > 0 ? m.lost : 0);
  ranges.forEach(([first, last], k) => {
    const r = els[k];
    const x0 = sc.x(first);
    set(r, 'x', px(x0 - 2));
    set(r, 'y', top);
    set(r, 'width', Math.max(4, px(sc.x(last + 1) - x0 + 4)));
    set(r, 'height', height);
    set(r, 'class', 'hlrange');
    set(r, 'data-testid', `violation-highlight-${p.tp}`);
    set(r, 'data-offsets', `${first}-${last}`);
    text(r.firstChild as El, `${hl!.label} (records ${first}–${last})`);
  });
}

/** The block's background (colored by its health), its name and its info line(s). */
function drawBlockHead(blk: Block, p: PartitionView, m: ReturnType<typeof metrics>, size: Size, info: readonly string[], opts: PartitionOptions): void {
  set(blk.bg, 'x', 0);
  set(blk.bg, 'y', 0);
  set(blk.bg, 'width', size.width);
  set(blk.bg, 'height', blockHeight(p, m) - 6);
  set(blk.bg, 'rx', 4);
  set(blk.bg, 'class', `bg${p.leader < 0 ? ' offline' : p.isr.length < p.minIsr ? ' underminisr' : p.isr.length < p.replicas.length ? ' urp' : ''}`);
  // The name and the info's first line above the rows; further lines of the info below that one.
  const y = m.title - 7 - (info.length - 1) * m.line;
  set(blk.title, 'x', 6);
  set(blk.title, 'y', y);
  const x = infoX(p, opts);
  set(blk.info, 'x', x);
  set(blk.info, 'y', y);
  if (info.length === 1) return text(blk.info, info[0]!);
  // Lines as tspans (text() caches the single text it wrote: forget it, it is gone).
  delete blk.info.__v?.['#text'];
  blk.info.replaceChildren();
  info.forEach((line, i) => {
    const t = mk(blk.info, 'tspan');
    t.setAttribute('x', String(x));
    if (i > 0) t.setAttribute('dy', String(m.line));
    t.textContent = line;
  });
}

/** A replica's part in a reassignment in progress: adding, removing, or '' (none). */
function reassignRole(p: PartitionView, b: number): string {
  return p.adding.includes(b) ? 'adding' : p.removing.includes(b) ? 'removing' : '';
}

/** "leader b1 · epoch 2 · ISR [1,2] · min.insync 2 · under-replicated". */
function infoText(p: PartitionView): string {
  const leader = p.leader < 0 ? 'OFFLINE (no leader)' : `leader b${p.leader}`;
  let s = `${leader} · epoch ${p.leaderEpoch} · ISR ${list(p.isr)}`;
  if (p.elr.length > 0) s += ` · ELR ${list(p.elr)}`;
  if (p.lastKnownElr.length > 0) s += ` · last known leader b${p.lastKnownElr.join(',b')}`;
  s += ` · min.insync ${p.minIsr}`;
  if (p.leader >= 0 && p.isr.length < p.minIsr) s += ' · below min ISR';
  else if (p.isr.length < p.replicas.length) s += ' · under-replicated';
  if (p.lastElection !== undefined && !p.lastElection.clean) s += ' · last election UNCLEAN';
  if (p.adding.length > 0 || p.removing.length > 0) s += ` · reassigning: adding ${list(p.adding)}, removing ${list(p.removing)}`;
  return s;
}

function offsetScale(p: PartitionView, opts: PartitionOptions, x0: number, x1: number): Scale {
  let maxLeo = 0;
  for (const b in p.logs) maxLeo = Math.max(maxLeo, p.logs[b].leo);
  let maxOff = Math.max(10, maxLeo);
  for (const t of p.truncated) maxOff = Math.max(maxOff, t.end);
  for (const t of p.lost) maxOff = Math.max(maxOff, t.end);
  const tail = opts.tail ?? 60;
  // Tail: the last offsets of the live logs (truncated and lost ranges are clipped to it).
  const d0 = opts.window === 'tail' ? Math.max(0, maxLeo - tail) : 0;
  const d1 = opts.window === 'tail' ? Math.max(maxLeo, tail) + 2 : maxOff;
  const k = (x1 - x0) / (d1 - d0);
  const x = (v: number): number => px(x0 + (Math.max(d0, Math.min(d1, v)) - d0) * k);
  return { d0, d1, x0, x1, k, x };
}

/** One replica's row: its name and badges, its log's records, truncations, divergence, epochs, HW and LEO. */
function drawRow(row: Row, p: PartitionView, frame: Frame, m: ReturnType<typeof metrics>, sc: Scale): void {
  const b = row.b;
  const log = p.logs[b];
  const hw = log?.hw ?? 0;
  const leo = log?.leo ?? 0;
  drawRowHead(row, p, frame, m, sc);
  drawRuns(row, p, m, sc);
  drawCells(row, leo, m, sc);
  drawTruncated(row, p, m, sc);
  drawDivergence(row, p, m, sc);
  drawEpochs(row, p, m, sc);
  const { x } = sc;
  const xh = x(hw);
  const xl = x(leo);
  set(row.hw, 'x1', xh);
  set(row.hw, 'x2', xh);
  set(row.hw, 'y1', -3);
  set(row.hw, 'y2', m.row + 3);
  set(row.leo, 'x1', xl);
  set(row.leo, 'x2', xl);
  set(row.leo, 'y1', -3);
  set(row.leo, 'y2', m.row + 3);
  set(row.offsets, 'x', sc.x1 + 6);
  set(row.offsets, 'y', m.row / 2);
  text(row.offsets, `LEO ${leo} · HW ${hw}`);
}

/** The broker's state dot, its name (★ on the leader), its ISR/ELR badge and the empty track. */
function drawRowHead(row: Row, p: PartitionView, frame: Frame, m: ReturnType<typeof metrics>, sc: Scale): void {
  const b = row.b;
  const inIsr = p.isr.includes(b);
  set(row.circle, 'cx', 10);
  set(row.circle, 'cy', m.row / 2);
  set(row.circle, 'r', 4.5);
  set(row.circle, 'fill', BROKER_COLORS[frame.brokers[b]?.state ?? 'up']);
  set(row.rname, 'x', m.label * 0.17);
  set(row.rname, 'y', m.row / 2);
  set(row.rname, 'class', `rname${b === p.leader ? ' leader' : ''}`);
  const role = reassignRole(p, b);
  // + a replica being added (it catches up as a follower; its badge says adding until it is in the ISR), − one to remove.
  text(row.rname, `${b === p.leader ? '★ ' : ''}b${b}${role === 'adding' ? ' +' : role === 'removing' ? ' −' : ''}`);
  set(row.rbadge, 'x', m.label * 0.52);
  set(row.rbadge, 'y', m.row / 2);
  // A replica whose disk failed is offline on its broker until the disk is replaced and it copies again.
  const diskFailed = p.logs[b]?.diskFailed === true;
  set(row.rbadge, 'class', `rbadge ${inIsr ? 'isr' : p.elr.includes(b) ? 'elr' : role === 'adding' ? 'catching' : 'out'}`);
  text(row.rbadge, inIsr ? 'ISR' : p.elr.includes(b) ? 'ELR' : role === 'adding' ? 'adding' : diskFailed ? 'disk failed' : 'out of ISR');
  set(row.track, 'x', sc.x0);
  set(row.track, 'y', 0);
  set(row.track, 'width', sc.x1 - sc.x0);
  set(row.track, 'height', m.row);
}

/** The log's records as runs of one state each. */
function drawRuns(row: Row, p: PartitionView, m: ReturnType<typeof metrics>, { d0, d1, x }: Scale): void {
  const runs = recordRuns(p, row.b).filter((s) => s.end > d0 && s.start < d1);
  const rects = pool(row.runs as SVGGElement & { __kids?: Array<SVGRectElement & El> }, runs.length, (parent) => mk(parent, 'rect'));
  for (let i = 0; i < runs.length; i++) {
    const s = runs[i];
    const r = rects[i] as SVGRectElement & El & { __run?: StateRunLike };
    r.__run = s;
    const xs = x(s.start);
    set(r, 'x', xs);
    set(r, 'y', 0);
    set(r, 'width', Math.max(0.5, px(x(s.end) - xs)));
    set(r, 'height', m.row);
    set(r, 'fill', RECORD_COLORS[s.state]);
    set(r, 'data-state', s.state);
  }
}

/** Cell dividers when cells are wide enough to see: one path for all of them. */
function drawCells(row: Row, leo: number, m: ReturnType<typeof metrics>, { d0, d1, x0, x1, k, x }: Scale): void {
  const lo = Math.ceil(d0);
  const hi = Math.min(leo, Math.floor(d1));
  const showCells = k >= 5 && hi - lo <= 400;
  const cellPath = pool(row.cells as El & { __kids?: Array<SVGPathElement & El> }, showCells ? 1 : 0, (parent) => mk(parent, 'path'));
  if (showCells) {
    // The dividers' places depend only on these (in tail mode they stay put while the log grows).
    const cellsKey = `${lo - d0}|${hi - d0}|${d1 - d0}|${x0}|${x1}|${m.row}`;
    if (row.cellsKey !== cellsKey) {
      row.cellsKey = cellsKey;
      let cells = '';
      for (let o = lo; o <= hi; o++) cells += `M${x(o).toFixed(1)} 0V${m.row}`;
      set(cellPath[0], 'd', cells);
    }
  } else row.cellsKey = undefined;
}

/** The ranges truncated from this replica's log (hatched). */
function drawTruncated(row: Row, p: PartitionView, m: ReturnType<typeof metrics>, { d0, d1, x }: Scale): void {
  const b = row.b;
  const trunc = p.truncated.filter((t) => t.broker === b && t.end > d0 && t.start < d1);
  const trects = pool(row.trunc as El & { __kids?: Array<SVGRectElement & El> }, trunc.length, (parent) => {
    const r = mk(parent, 'rect');
    r.setAttribute('fill', 'url(#hatch)');
    r.setAttribute('data-testid', 'truncated');
    mk(r, 'title');
    return r;
  });
  for (let i = 0; i < trunc.length; i++) {
    const t = trunc[i];
    const r = trects[i];
    set(r, 'x', x(t.start));
    set(r, 'y', m.row - 5);
    set(r, 'width', Math.max(2, px(x(t.end) - x(t.start))));
    set(r, 'height', 5);
    text(r.firstChild as El, `b${b} truncated offsets ${t.start}–${t.end - 1} (${TRUNCATION_SHORT[t.reason]}) at ${(t.t / 1e6).toFixed(3)} s`);
  }
}

/** Where this replica's log differs from the leader's: records of another epoch at the same offsets. */
function drawDivergence(row: Row, p: PartitionView, m: ReturnType<typeof metrics>, { d0, d1, x }: Scale): void {
  const b = row.b;
  const log = p.logs[b];
  const leaderLog = p.leader >= 0 && p.leader !== b ? p.logs[p.leader] : undefined;
  const div = log !== undefined && leaderLog !== undefined ? firstDivergence(log, leaderLog) : -1;
  const divEnd = div >= 0 ? Math.min(log!.leo, leaderLog!.leo) : -1;
  const show = div >= 0 && divEnd > d0 && div < d1;
  const drects = pool(row.diverge as El & { __kids?: Array<SVGRectElement & El> }, show ? 1 : 0, (parent) => {
    const r = mk(parent, 'rect');
    r.setAttribute('fill', 'none');
    r.setAttribute('stroke', '#d0021b');
    r.setAttribute('stroke-width', '2');
    r.setAttribute('data-testid', 'diverged');
    mk(r, 'title');
    return r;
  });
  if (show) {
    const r = drects[0];
    const xs = x(Math.max(div, d0));
    set(r, 'x', xs);
    set(r, 'y', 1);
    set(r, 'width', Math.max(2, px(x(Math.min(divEnd, d1)) - xs)));
    set(r, 'height', m.row - 2);
    set(r, 'data-from', div);
    text(r.firstChild as El, `b${b} diverges from leader b${p.leader} at offsets ${div}–${divEnd - 1}: other records (another leader epoch) at the same offsets`);
  }
}

/** The leader-epoch boundaries in this replica's log. */
function drawEpochs(row: Row, p: PartitionView, m: ReturnType<typeof metrics>, { d0, d1, x }: Scale): void {
  const epochs = (p.logs[row.b]?.epochs ?? []).filter((e, i) => i > 0 && e.start >= d0 && e.start <= d1);
  const eg = pool(row.epochs as El & { __kids?: Array<SVGGElement & El> }, epochs.length, (parent) => {
    const e = mk(parent, 'g');
    const line = mk(e, 'line');
    line.setAttribute('y1', '-2');
    const t = mk(e, 'text');
    t.setAttribute('x', '2');
    t.setAttribute('y', '9');
    return e;
  });
  for (let i = 0; i < epochs.length; i++) {
    set(eg[i], 'transform', `translate(${x(epochs[i].start)},0)`);
    set(eg[i].firstChild as El, 'y2', m.row + 2);
    text(eg[i].lastChild as El, `e${epochs[i].epoch}`);
  }
}

/** Lost acknowledged records: a range per loss and the LOST count. */
function drawLost(blk: Block, p: PartitionView, m: ReturnType<typeof metrics>, sc: Scale): void {
  const lostG = blk.lostG;
  set(lostG, 'transform', `translate(0,${m.title + p.replicas.length * (m.row + m.gap)})`);
  const lost = p.lostCount > 0 ? p.lost : [];
  const shown = lost.filter((l) => l.end > sc.d0 && l.start < sc.d1);
  const lostKids = pool(lostG as El & { __kids?: Array<SVGElement & El> }, shown.length + (lost.length > 0 ? 1 : 0), (parent) => mk(parent, 'rect'));
  // The last child is the LOST text (recreated when the count of ranges changes, which is rare).
  for (let i = 0; i < shown.length; i++) {
    let r = lostKids[i];
    if (r.tagName !== 'rect') {
      const nr = mk(lostG, 'rect');
      r.replaceWith(nr);
      lostKids[i] = r = nr;
    }
    drawLostRange(r, shown[i], m, sc);
  }
  if (lost.length > 0) {
    let t = lostKids[shown.length];
    if (t.tagName !== 'text') {
      const nt = mk(lostG, 'text');
      t.replaceWith(nt);
      lostKids[shown.length] = t = nt;
    }
    drawLostText(t, p, m);
  }
}

function drawLostRange(r: El, l: PartitionView['lost'][number], m: ReturnType<typeof metrics>, { x }: Scale): void {
  set(r, 'x', x(l.start));
  set(r, 'y', 0);
  set(r, 'width', Math.max(2, px(x(l.end) - x(l.start))));
  set(r, 'height', m.lost - 6);
  set(r, 'class', 'lostrange');
  set(r, 'data-start', l.start);
  let t = r.firstChild as El | null;
  if (t === null) t = mk(r, 'title');
  text(t, `${l.end - l.start} acknowledged record(s) at offsets ${l.start}–${l.end - 1} lost (${TRUNCATION_SHORT[l.reason]} on b${l.broker})`);
}

function drawLostText(t: El, p: PartitionView, m: ReturnType<typeof metrics>): void {
  set(t, 'x', 6);
  set(t, 'y', m.lost - 7);
  set(t, 'class', 'losttext');
  set(t, 'data-testid', `lost-${p.tp}`);
  if (t.firstChild === null) {
    t.appendChild(document.createTextNode(''));
    mk(t, 'title');
  }
  const label = t.firstChild as Text;
  const s = `LOST ${p.lostCount}`;
  if (label.data !== s) label.data = s;
  const title = t.lastChild as El;
  text(title, `${p.lostCount} acknowledged record(s) are on no replica: ${[...new Set(p.lost.map((l) => `${TRUNCATION_SHORT[l.reason]} on b${l.broker}`))].join(', ')}`);
}

function defs(svg: d3.Selection<SVGSVGElement, unknown, null, undefined>): void {
  if (!svg.select('defs').empty()) return;
  const pat = svg.append('defs').append('pattern').attr('id', 'hatch').attr('patternUnits', 'userSpaceOnUse').attr('width', 4).attr('height', 4).attr('patternTransform', 'rotate(45)');
  pat.append('rect').attr('width', 4).attr('height', 4).attr('fill', '#fbe3e4');
  pat.append('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 4).attr('stroke', '#c0141a').attr('stroke-width', 2);
  // Records a group skipped: violet stripes the other way.
  const skip = svg.select('defs').append('pattern').attr('id', 'skiphatch').attr('patternUnits', 'userSpaceOnUse').attr('width', 4).attr('height', 4).attr('patternTransform', 'rotate(-45)');
  skip.append('rect').attr('width', 4).attr('height', 4).attr('fill', '#efe3f7');
  skip.append('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 4).attr('stroke', '#6a1b9a').attr('stroke-width', 2);
}

/**
 * On the leader's row, per consumer group: a teal tick at its committed offset, an amber band under the
 * records it received again and a violet hatched band over the records it skipped (drawn where the log
 * window shows them).
 */
function drawGroupMarks(blk: Block, p: PartitionView, m: ReturnType<typeof metrics>, sc: Scale, marks: readonly GroupMark[]): void {
  const row = Math.max(0, p.replicas.indexOf(p.leader));
  set(blk.marksG, 'transform', `translate(0,${m.title + row * (m.row + m.gap)})`);
  const shown: Array<{ kind: MarkKind; g: GroupMark }> = [];
  const inView = (r: { first: number; last: number } | undefined): boolean => r !== undefined && r.last + 1 > sc.d0 && r.first < sc.d1;
  for (const g of marks) {
    if (g.committed !== undefined && g.committed >= sc.d0 && g.committed <= sc.d1) shown.push({ kind: 'committed', g });
    if (inView(g.again)) shown.push({ kind: 'again', g });
    if (inView(g.skipped)) shown.push({ kind: 'skipped', g });
  }
  const els = pool(blk.marksG as El & { __kids?: El[] }, shown.length, (parent) => {
    const r = mk(parent, 'rect');
    mk(r, 'title');
    return r;
  });
  shown.forEach(({ kind, g }, k) => {
    const r = els[k];
    const d = groupMark(kind, g, m, sc);
    for (const [a, v] of [
      ['x', d.x],
      ['y', d.y],
      ['width', d.width],
      ['height', d.height],
    ] as const)
      set(r, a, v);
    set(r, 'class', `g${kind}`);
    set(r, 'data-testid', `${kind}-${p.tp}-${g.group}`);
    text(r.firstChild as El, d.title);
  });
}

type MarkKind = 'committed' | 'again' | 'skipped';

/** Where a group's mark goes on the leader's row and what its tooltip says. */
function groupMark(kind: MarkKind, g: GroupMark, m: ReturnType<typeof metrics>, sc: Scale): { x: number; y: number; width: number; height: number; title: string } {
  if (kind === 'committed') {
    const x = sc.x(g.committed!);
    return { x: px(x - 1), y: -4, width: 2, height: m.row + 8, title: `group ${g.group} committed offset ${g.committed}: it reads on from here after a rebalance or a restart` };
  }
  const band = kind === 'again' ? g.again! : g.skipped!;
  const x0 = sc.x(band.first);
  const width = Math.max(2, px(sc.x(band.last + 1) - x0));
  if (kind === 'again') {
    const a = g.again!;
    return { x: x0, y: m.row - 4, width, height: 5, title: `group ${g.group} received ${a.count} record(s) at offsets ${a.first}..${a.last} again (received before, not committed: at-least-once)` };
  }
  const sk = g.skipped!;
  return {
    x: x0,
    y: -2,
    width,
    height: 6,
    title: `skipped by group ${g.group}: ${sk.count} record(s), ${sk.offsets} (whole run: below its final position, never received: at-most-once)`,
  };
}
