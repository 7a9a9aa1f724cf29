/**
 * Where the cluster view puts its nodes, and where their labels go: pure geometry, no DOM, deterministic.
 *
 * Every node sits on one ellipse, in this order clockwise from the top: the controller, the consumers (on
 * the right), the brokers (along the bottom), the producers (on the left). Links join a broker to another
 * node, so each link is a chord of the ellipse, and no three points of an ellipse are in a line: a link
 * never runs through a node it does not join, a cut is drawn between its two ends only, and two links never
 * lie on top of each other. The nodes are spread evenly by the ellipse's parametric angle, which keeps a
 * chord that skips a node at least (1 - cos Δ)·ry from it (Δ the angle between neighbours); nodes shrink as
 * Δ does. Labels go beside the nodes on the sides and the controller, below the others. Consumer groups and
 * their coordinator can join the right-hand side of the ring later.
 */

export interface Size {
  width: number;
  height: number;
}

export type NodeKind = 'broker' | 'controller' | 'producer' | 'consumer';

/** A node's label (two lines of state) relative to the node's centre. */
export interface LabelPos {
  x: number;
  /** The first line's baseline; the second is one line below. */
  y: number;
  anchor: 'start' | 'middle' | 'end';
  /** The width the lines may take (longer text is cut with "…"). */
  w: number;
}

export interface NodePos {
  id: string;
  x: number;
  y: number;
  r: number;
  kind: NodeKind;
  label: string;
  lab: LabelPos;
}

export interface LayoutInput {
  brokers: number[];
  clients: Array<{ node: string; kind: 'producer' | 'consumer' }>;
  racks?: Record<string, string>;
}

export interface LayoutOptions {
  large?: boolean;
  /** A line at the bottom is kept for the legend of message colors. */
  legend?: boolean;
}

/** Type metrics of the labels (px): the line height and an average character's width. */
export function typeMetrics(large = false): { line: number; char: number } {
  return large ? { line: 18, char: 8.8 } : { line: 13.5, char: 6.4 };
}

/** Room for a label's text: at most this many characters are worth showing. */
const LABEL_CHARS = 22;

const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, v));

interface Slot {
  id: string;
  kind: NodeKind;
  label: string;
}

/** The ring's order: the controller, consumers, brokers (left to right along the bottom), producers. */
function ring(input: LayoutInput): Slot[] {
  const producers = input.clients.filter((c) => c.kind === 'producer');
  const consumers = input.clients.filter((c) => c.kind === 'consumer');
  return [
    { id: 'ctl', kind: 'controller', label: 'controller' },
    ...consumers.map((c) => ({ id: c.node, kind: c.kind, label: c.node })),
    ...[...input.brokers].reverse().map((b) => {
      const rack = input.racks?.[String(b)];
      return { id: `b${b}`, kind: 'broker' as const, label: rack === undefined ? `b${b}` : `b${b} (${rack})` };
    }),
    ...[...producers].reverse().map((c) => ({ id: c.node, kind: c.kind, label: c.node })),
  ];
}

/** Where every node sits and where its label goes (see the file's comment). */
export function clusterLayout(input: LayoutInput, size: Size, opts: LayoutOptions = {}): Map<string, NodePos> {
  const large = opts.large === true;
  const { line, char } = typeMetrics(large);
  const { width: w, height: h } = size;
  const slots = ring(input);
  const n = slots.length;
  const step = (2 * Math.PI) / n;
  const base = clamp(h / 9, 16, 30) * (large ? 1.15 : 1);
  // A chord that skips a node passes (1 - cos Δ)·ry from it: the nodes are smaller than that.
  const ry0 = Math.max(20, (h - 2 * line - 2.75 * base - 14 - (opts.legend ? 14 : 0)) / 2);
  const rb = clamp((1 - Math.cos(step)) * ry0 - 4, 10, base);
  const rc = Math.max(10, Math.min(rb, base * 0.75));
  const top = rc * 1.1 + 8;
  const bottom = 2 * line + rb + 6 + (opts.legend ? 14 : 0);
  const ry = Math.max(20, (h - top - bottom) / 2);
  const cy = top + ry;
  const sideW = Math.min(LABEL_CHARS * char, w * 0.16);
  const rx = clamp(w / 2 - rb - 10 - sideW, ry, ry * 5);
  const cx = w / 2;
  const pos = new Map<string, NodePos>();
  slots.forEach((s, k) => {
    const a = -Math.PI / 2 + k * step;
    const x = cx + rx * Math.cos(a);
    const y = cy + ry * Math.sin(a);
    const r = s.kind === 'broker' ? rb : s.kind === 'controller' ? rc * 1.1 : rc;
    pos.set(s.id, { id: s.id, x, y, r, kind: s.kind, label: s.label, lab: { x: 0, y: 0, anchor: 'middle', w: 0 } });
  });
  placeLabels(pos, size, line, char);
  return pos;
}

/** Labels outwards: beside a node on the ellipse's sides, above or below elsewhere, as wide as there is room. */
function placeLabels(pos: Map<string, NodePos>, size: Size, line: number, char: number): void {
  const maxW = LABEL_CHARS * char;
  const nodes = [...pos.values()];
  const cx = size.width / 2;
  const cy = nodes.reduce((s, d) => s + d.y, 0) / Math.max(1, nodes.length);
  const rx = Math.max(1, ...nodes.map((d) => Math.abs(d.x - cx)));
  for (const d of nodes) {
    const c = (d.x - cx) / rx;
    if (Math.abs(c) > 0.7 && nodes.length > 2) {
      const left = c < 0;
      const room = left ? d.x - d.r - 10 : size.width - d.x - d.r - 10;
      d.lab = { x: left ? -d.r - 5 : d.r + 5, y: -line / 2 + 4, anchor: left ? 'end' : 'start', w: clamp(room, 0, maxW) };
    } else if (d.kind === 'controller') {
      // At the top: beside it, to the right.
      d.lab = { x: d.r + 5, y: 4, anchor: 'start', w: maxW };
    } else if (d.y < cy - 1) d.lab = { x: 0, y: d.r + line, anchor: 'middle', w: maxW };
    else d.lab = { x: 0, y: d.r + line, anchor: 'middle', w: maxW };
  }
  // Labels beside a node stop short of the next node on that side, in their band.
  for (const d of nodes) {
    if (d.lab.anchor === 'middle') continue;
    const dir = d.lab.anchor === 'start' ? 1 : -1;
    for (const e of nodes) {
      const dx = (e.x - d.x) * dir;
      if (e !== d && dx > 0 && Math.abs(e.y - d.y) < line * 1.6 + e.r) d.lab.w = Math.min(d.lab.w, dx - d.r - e.r - 12);
    }
    // No room beside it (a crowded side of the ring): below it instead.
    if (d.lab.w < 60 && d.kind !== 'controller') d.lab = { x: 0, y: d.r + line, anchor: 'middle', w: maxW };
  }
  // Centred labels in the same band: half each of the gap to a centred neighbour, clear of a node beside.
  for (const d of nodes) {
    if (d.lab.anchor !== 'middle') continue;
    for (const e of nodes) {
      if (e === d || Math.abs(e.y + e.lab.y - (d.y + d.lab.y)) > 2.2 * line) continue;
      const dx = Math.abs(e.x - d.x);
      d.lab.w = Math.min(d.lab.w, e.lab.anchor === 'middle' ? dx - 6 : 2 * (dx - e.r - 6));
    }
    d.lab.w = Math.min(d.lab.w, 2 * Math.min(d.x, size.width - d.x) - 4);
  }
  // A label beside a node stops short of a centred label in its band.
  for (const d of nodes) {
    if (d.lab.anchor === 'middle') continue;
    const x0 = d.x + d.lab.x;
    for (const e of nodes) {
      if (e.lab.anchor !== 'middle' || Math.abs(e.y + e.lab.y - (d.y + d.lab.y)) >= 2 * line) continue;
      const dir = d.lab.anchor === 'start' ? 1 : -1;
      const dx = (e.x - x0) * dir;
      if (dx <= 0 || dx - e.lab.w / 2 - 6 >= d.lab.w) continue;
      // Both give way: the centred one keeps at least its half, the one beside at least 70 px if it can.
      const mine = Math.min(d.lab.w, Math.max(70, dx - e.lab.w / 2 - 6), dx / 2);
      e.lab.w = Math.min(e.lab.w, 2 * (dx - mine - 6));
      d.lab.w = Math.max(0, Math.min(d.lab.w, dx - e.lab.w / 2 - 6));
    }
  }
}

/** The distance from point p to the segment a–b. */
export function segmentDistance(p: { x: number; y: number }, a: { x: number; y: number }, b: { x: number; y: number }): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0, 1);
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** Every link the view draws: each broker with every other node (clients and the controller talk only to brokers). */
export function linkPairs(pos: Map<string, NodePos>): Array<[NodePos, NodePos]> {
  const ns = [...pos.values()];
  const out: Array<[NodePos, NodePos]> = [];
  for (let i = 0; i < ns.length; i++) {
    for (let j = i + 1; j < ns.length; j++) {
      if (ns[i].kind === 'broker' || ns[j].kind === 'broker') out.push([ns[i], ns[j]]);
    }
  }
  return out;
}

/** The link nearest to a point (within `within` px), or undefined: what a click there means. */
export function nearestLink<L extends { a: string; b: string }>(links: readonly L[], pos: Map<string, NodePos>, p: { x: number; y: number }, within = 10): L | undefined {
  let best: L | undefined;
  let bestD = within;
  for (const l of links) {
    const d = segmentDistance(p, pos.get(l.a)!, pos.get(l.b)!);
    if (d < bestD) {
      bestD = d;
      best = l;
    }
  }
  return best;
}

/** Text cut to a width (in average characters), with "…". */
export function fitText(s: string, width: number, char: number): string {
  const n = Math.floor(width / char);
  if (s.length <= n) return s;
  return n <= 1 ? '' : `${s.slice(0, n - 1)}…`;
}

/** A consumer group's box in the cluster view: around its members and their labels. */
export interface GroupBox {
  group: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * The boxes of the consumer groups: each around its members (with a line on top for its name) and their
 * labels, as far right as the labels beside them go (within `width`); boxes that would overlap share the
 * space between their nearest members (when there is any: many members down the ring can leave none).
 */
export function groupBoxes(groups: Array<{ group: string; nodes: NodePos[] }>, width: number, line: number): GroupBox[] {
  const out: Array<GroupBox & { top: number; bottom: number }> = [];
  for (const { group, nodes } of groups) {
    if (nodes.length === 0) continue;
    const r = Math.max(...nodes.map((d) => d.r));
    // The extent of a member's node and label, above and below its centre.
    const top = Math.min(...nodes.map((d) => d.y - d.r));
    // The label's second line's baseline is lab.y + line; its descenders a few px lower.
    const bottom = Math.max(...nodes.map((d) => d.y + Math.max(d.r, d.lab.y + line + 4)));
    const x0 = Math.min(...nodes.map((d) => d.x - Math.max(r, d.lab.anchor === 'middle' ? d.lab.w / 2 : 0))) - 8;
    const x1 = Math.min(width - 4, Math.max(...nodes.map((d) => d.x + Math.max(r, d.lab.anchor === 'start' ? d.lab.x + d.lab.w : d.lab.anchor === 'middle' ? d.lab.w / 2 : 0))) + 8);
    out.push({ group, x0: Math.max(2, x0), x1, y0: top - 6 - line, y1: bottom + 6, top, bottom });
  }
  const byY = [...out].sort((a, b) => a.top - b.top);
  for (let k = 1; k < byY.length; k++) {
    const a = byY[k - 1];
    const b = byY[k];
    if (b.y0 >= a.y1 || b.x0 >= a.x1 || a.x0 >= b.x1) continue;
    // Apart if there is room between them; else (many members down the ring) each at least holds its own.
    const mid = (a.bottom + b.top - line) / 2;
    a.y1 = Math.max(a.bottom + 1, Math.min(a.y1, mid - 1));
    b.y0 = Math.min(b.top - line - 2, Math.max(b.y0, a.y1 + 2));
  }
  return out.map(({ top: _, bottom: __, ...box }) => box);
}
