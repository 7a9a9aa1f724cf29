/**
 * The cluster view: brokers (colored by state), the controller, producers and consumers, the links
 * between them (cut links dashed red), and the messages in flight, each placed between its sender and
 * receiver by interpolating its send time and arrival time at the cursor's time.
 */
import type * as d3 from 'd3';
import type { Flight, Frame } from '../derive/frames.js';
import { OFFSETS_TOPIC, type MemberView } from '../derive/groups.js';
import { fmtDuration, nodeName } from '../derive/narrative.js';
import { BROKER_COLORS, MSG_COLORS } from './colors.js';
import { mk, pool, set, text, unset, type El } from './dom.js';

import { clusterLayout, fitText, groupBoxes, nearestLink, type NodePos, type Size, typeMetrics } from './cluster-layout.js';

export type { Size } from './cluster-layout.js';

/** Where every node sits (viz/views/cluster-layout.ts), for the frame's brokers and clients. */
export function layout(frame: Frame, size: Size, large = false): Map<string, NodePos> {
  const brokers = Object.keys(frame.brokers)
    .map(Number)
    .sort((a, b) => a - b);
  const clients = byGroup(frame).map((c) => ({ node: c.node, kind: c.kind }));
  return clusterLayout({ brokers, clients, racks: frame.header?.racks }, size, { large, legend: !large });
}

/** The clients, the members of each consumer group next to each other (in the order the groups first appear). */
function byGroup(frame: Frame): Frame['clients'][string][] {
  const clients = Object.values(frame.clients);
  const groups: string[] = [];
  for (const c of clients) {
    const g = frame.members[c.name]?.group;
    if (c.kind === 'consumer' && g !== undefined && !groups.includes(g)) groups.push(g);
  }
  const rank = (c: Frame['clients'][string]): number => {
    const g = c.kind === 'consumer' ? frame.members[c.name]?.group : undefined;
    return g === undefined ? groups.length : groups.indexOf(g);
  };
  return clients
    .map((c, k) => ({ c, k }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.k - b.k)
    .map((x) => x.c);
}

export interface ClusterOptions {
  onNodeClick?: (node: string, event: MouseEvent) => void;
  /** Clicking a link (a wide invisible band along it): cut or heal it. */
  onLinkClick?: (a: string, b: string, cut: boolean, event: MouseEvent) => void;
  large?: boolean;
}

/** The legend of message colors. */
const LEGEND: Array<[string, string]> = [
  ['Produce', MSG_COLORS.Produce],
  ['Fetch', MSG_COLORS.Fetch],
  ['FetchResponse', MSG_COLORS.FetchResponse],
  ['heartbeat', MSG_COLORS.BrokerHeartbeat],
  ['metadata', MSG_COLORS.Metadata],
  ['AlterPartition', MSG_COLORS.AlterPartition],
];

interface NodeEls {
  d: NodePos;
  g: El;
  circle: El;
  name: El;
  sub: El;
  sub2: El;
}

interface LinkEls {
  a: string;
  b: string;
  line: El;
  hit?: El;
  cutAB: boolean;
  cutBA: boolean;
}

type MsgEl = SVGCircleElement & El & { __seen?: number };

/**
 * What is drawn in one svg: the layout (nodes, links, legend) is built once per run, size and options;
 * then a frame writes only what changed (node states, cut links) and moves the messages in flight.
 */
interface View {
  key: string;
  header: Frame['header'];
  brokers: Frame['brokers'];
  clients: Frame['clients'];
  width: number;
  height: number;
  pos: Map<string, NodePos>;
  r: number;
  links: LinkEls[];
  nodes: NodeEls[];
  gCuts: El;
  gMsgs: El;
  /** Consumer groups: a box around each group's members, its name and state, a line to its coordinator. */
  gGroups: El;
  cuts: readonly string[] | undefined;
  msgs: Map<number, MsgEl>;
  draws: number;
  /** The options of the last draw (the click handlers read them). */
  opts: ClusterOptions;
}

const views = new WeakMap<SVGSVGElement, View>();

/** Draws the cluster at the frame (and messages in flight at time tUs) into `svg`. */
export function drawCluster(svgEl: SVGSVGElement, frame: Frame, flights: Flight[], tUs: number, size: Size, opts: ClusterOptions = {}): void {
  const view = viewFor(svgEl, frame, size, opts);
  view.opts = opts;
  drawCuts(view, frame);
  drawFlights(view, flights, tUs);
  drawNodes(view, frame);
  drawGroups(view, frame);
}

/** The svg's view, built again when the layout changes (with the run, the size, the brokers and clients, the options). */
function viewFor(svgEl: SVGSVGElement, frame: Frame, size: Size, opts: ClusterOptions): View {
  let view = views.get(svgEl);
  if (
    view === undefined ||
    view.header !== frame.header ||
    view.brokers !== frame.brokers ||
    view.clients !== frame.clients ||
    view.width !== size.width ||
    view.height !== size.height ||
    (view.opts.large === true) !== (opts.large === true) ||
    (view.opts.onNodeClick === undefined) !== (opts.onNodeClick === undefined) ||
    (view.opts.onLinkClick === undefined) !== (opts.onLinkClick === undefined) ||
    !svgEl.contains(view.gMsgs)
  ) {
    const key = [
      size.width,
      size.height,
      opts.large === true,
      opts.onNodeClick !== undefined,
      opts.onLinkClick !== undefined,
      Object.keys(frame.brokers).join(),
      Object.values(frame.clients)
        .map((c) => `${c.node}:${c.kind}`)
        .join(),
    ].join('|');
    if (view === undefined || view.key !== key || view.header !== frame.header || !svgEl.contains(view.gMsgs)) view = build(svgEl, frame, size, opts, key);
    view.header = frame.header;
    view.brokers = frame.brokers;
    view.clients = frame.clients;
    view.width = size.width;
    view.height = size.height;
  }
  return view;
}

/** Cut links (a link is cut when either direction is). */
function drawCuts(view: View, frame: Frame): void {
  const { pos } = view;
  if (view.cuts === frame.cutLinks) return;
  view.cuts = frame.cutLinks;
  const cut = new Set(frame.cutLinks);
  const cuts: LinkEls[] = [];
  for (const l of view.links) {
    l.cutAB = cut.has(`${l.a}>${l.b}`);
    l.cutBA = cut.has(`${l.b}>${l.a}`);
    const any = l.cutAB || l.cutBA;
    set(l.line, 'class', any ? 'link cut' : 'link');
    if (any) set(l.line, 'data-testid', 'cut-link');
    else unset(l.line, 'data-testid');
    if (any) cuts.push(l);
  }
  // A cross on cut links, with the direction if only one way is cut.
  const marks = pool(view.gCuts as El & { __kids?: El[] }, cuts.length, (parent) => {
    const t = mk(parent, 'text', 'cutmark');
    t.setAttribute('text-anchor', 'middle');
    t.setAttribute('dominant-baseline', 'central');
    return t;
  });
  cuts.forEach((d, k) => {
    const a = pos.get(d.a)!;
    const b = pos.get(d.b)!;
    set(marks[k], 'x', (a.x + b.x) / 2);
    set(marks[k], 'y', (a.y + b.y) / 2);
    // The cut direction, in the labels the nodes show (p1, not the trace's p:p1).
    const short = (n: string) => n.replace(/^[pc]:/, '');
    text(marks[k], d.cutAB && d.cutBA ? '✕' : d.cutAB ? `✕ ${short(d.a)}→${short(d.b)}` : `✕ ${short(d.b)}→${short(d.a)}`);
  });
}

/** Messages in flight: a circle per message, kept while it flies. */
function drawFlights(view: View, flights: Flight[], tUs: number): void {
  const { pos } = view;
  const draw = ++view.draws;
  const msgs = view.msgs;
  for (const m of flights) {
    const a = pos.get(m.from);
    const b = pos.get(m.to);
    if (a === undefined || b === undefined) continue;
    const k = Math.max(0, Math.min(1, (tUs - m.t) / Math.max(1, m.recvUs - m.t)));
    let c = msgs.get(m.id);
    if (c === undefined) {
      c = mk(view.gMsgs, 'circle', 'msg') as MsgEl;
      c.setAttribute('r', String(Math.max(3, Math.min(8, 2 + Math.log10(m.bytes + 1)))));
      c.setAttribute('fill', MSG_COLORS[m.kind] ?? (m.kind.endsWith('Response') ? '#bbb' : '#777'));
      mk(c, 'title').textContent = `${m.kind} ${nodeName(m.from)} → ${nodeName(m.to)}, ${m.bytes} B`;
      msgs.set(m.id, c);
    }
    c.__seen = draw;
    set(c, 'cx', px(a.x + (b.x - a.x) * k));
    set(c, 'cy', px(a.y + (b.y - a.y) * k));
  }
  for (const [id, c] of msgs) {
    if (c.__seen !== draw) {
      c.remove();
      msgs.delete(id);
    }
  }
}

/** Nodes: state, and the partitions each broker leads. */
function drawNodes(view: View, frame: Frame): void {
  const leaders = new Map<number, string[]>();
  const coordinates = new Map<number, string[]>();
  for (const g of Object.values(frame.groups)) {
    if (g.coordinator >= 0) coordinates.set(g.coordinator, [...(coordinates.get(g.coordinator) ?? []), g.group]);
  }
  for (const tp in frame.partitions) {
    const p = frame.partitions[tp];
    // __consumer_offsets (50 partitions): only those that coordinate a group, which the broker's line names.
    if (p.leader < 0 || p.topic === OFFSETS_TOPIC) continue;
    const l = leaders.get(p.leader);
    if (l === undefined) leaders.set(p.leader, [p.tp]);
    else l.push(p.tp);
  }
  const { char } = typeMetrics(view.opts.large === true);
  for (const n of view.nodes) {
    const d = n.d;
    // Each line as wide as the layout gives its label.
    const put = (el: El, s: string): void => text(el, fitText(s, d.lab.w, char));
    if (d.kind === 'broker') {
      const b = frame.brokers[Number(d.id.slice(1))];
      set(n.g, 'data-state', b.state);
      set(n.circle, 'fill', BROKER_COLORS[b.state]);
      // A ZooKeeper controller does not fence: it declares a broker whose session ended dead.
      const fenced = frame.header?.controller === 'zookeeper' ? 'declared dead' : 'fenced';
      put(
        n.sub,
        b.state === 'up'
          ? 'up'
          : b.state === 'crashed' && b.halted !== undefined
            ? b.fenced
              ? `halted, ${fenced}`
              : 'halted (disk failed)'
            : b.state === 'crashed' && b.fenced
              ? `crashed${b.mode === 'power' ? ' (power)' : ''}, ${fenced}`
              : b.state === 'crashed' && b.mode === 'power'
                ? 'crashed (power)'
                : b.state === 'fenced'
                  ? fenced
                  : b.state,
      );
      const tps = leaders.get(b.id);
      const groups = coordinates.get(b.id);
      set(n.g, 'data-coordinator-of', groups?.join(',') ?? '');
      const star = tps === undefined ? '' : `★ ${compactTps(tps)}`;
      // The groups it coordinates, in words when they fit, else after a ◆ (the group's box names its coordinator).
      const coordinator = groups === undefined ? '' : `coordinator of ${groups.join(', ')}`;
      const both = [star, coordinator].filter((x) => x !== '').join(' · ');
      put(n.sub2, both.length * char <= d.lab.w || groups === undefined ? both : `${star} ◆ ${groups.join(',')}`);
    } else if (d.kind === 'controller') {
      set(n.g, 'data-state', frame.controllerUp ? 'up' : 'crashed');
      set(n.circle, 'fill', frame.controllerUp ? '#5b7db1' : BROKER_COLORS.crashed);
      put(n.sub, frame.header === undefined ? 'controller' : frame.header.controller === 'kraft' ? 'KRaft controller' : 'ZooKeeper controller');
    } else {
      const c = frame.clients[d.id];
      const m = c?.kind === 'consumer' ? frame.members[c.name] : undefined;
      if (m !== undefined) {
        drawMember(n, m, frame, put);
        continue;
      }
      set(n.g, 'data-state', c?.up ? 'up' : 'down');
      set(n.circle, 'fill', c?.up ? '#eef3f8' : '#ddd');
      put(n.sub, c === undefined ? '' : c.kind === 'producer' ? `producer → ${c.topic}` : `consumer ← ${c.topic}`);
      put(n.sub2, c?.kind === 'producer' && c.acks !== undefined ? `acks=${c.acks === -1 ? 'all' : c.acks}${c.idempotence ? ', idempotent' : ''}` : '');
    }
  }
}

const px = (v: number): number => Math.round(v * 10) / 10;

/**
 * A group member: the partitions it owns at the cursor, and whether it processes them, is paused by a
 * rebalance (it gave them up and waits for its new assignment), or crashed (still owning them until the
 * coordinator notices).
 */
function drawMember(n: NodeEls, m: MemberView, frame: Frame, put: (el: El, s: string) => void): void {
  const st = memberState(m, frame);
  set(n.g, 'data-state', st.state);
  set(n.g, 'data-partitions', m.partitions.join(','));
  set(n.circle, 'fill', st.state === 'crashed' || st.state === 'stopped' ? '#ddd' : st.state === 'paused' ? '#f6e3a1' : '#eef3f8');
  const c = frame.clients[`c:${m.consumer}`];
  const removed = st.state === 'crashed' && frame.groups[m.group]?.members.includes(m.consumer) === false;
  put(
    n.sub,
    st.state === 'stopped'
      ? `closed at ${fmtDuration(c?.sinceUs ?? 0)}`
      : removed
        ? `crashed at ${fmtDuration(c?.sinceUs ?? 0)}`
        : m.partitions.length > 0
          ? `← ${compactTps(m.partitions)}`
          : st.state === 'paused'
            ? `revoked ${compactTps(m.revoked.length > 0 ? m.revoked : m.lost)}`
            : 'no partitions',
  );
  put(n.sub2, st.text);
}

/** What a member is doing at the cursor, in a word and a line. */
export function memberState(m: MemberView, frame: Frame): { state: 'processing' | 'paused' | 'crashed' | 'stopped' | 'idle'; text: string } {
  const c = frame.clients[`c:${m.consumer}`];
  const g = frame.groups[m.group];
  if (c !== undefined && !c.up && c.state === 'stopped') return { state: 'stopped', text: 'closed: left the group' };
  if (c !== undefined && !c.up) {
    const gone = g !== undefined && !g.members.includes(m.consumer);
    return { state: 'crashed', text: gone ? `removed from ${m.group}` : m.partitions.length > 0 ? 'down: not consumed' : 'down' };
  }
  if (m.pausedSinceUs !== undefined) return { state: 'paused', text: `paused ${fmtDuration(frame.t - m.pausedSinceUs)}: rebalance` };
  if (g !== undefined && g.rebalanceSinceUs !== undefined) return { state: m.partitions.length > 0 ? 'processing' : 'paused', text: `rebalancing (gen ${g.generation})` };
  if (m.partitions.length === 0) return { state: 'idle', text: m.generation > 0 ? `gen ${m.generation}: nothing assigned` : 'joining' };
  return { state: 'processing', text: `gen ${m.generation}, processing` };
}

/** Per group: a box around its members with its name, state and generation, and a dashed line to its coordinator. */
function drawGroups(view: View, frame: Frame): void {
  const { pos } = view;
  const groups = Object.values(frame.groups);
  const boxes = pool(view.gGroups as El & { __kids?: El[] }, groups.length, (parent) => {
    const g = mk(parent, 'g', 'group');
    mk(g, 'line', 'coordline');
    mk(g, 'rect', 'groupbox');
    mk(g, 'text', 'grouplabel');
    const t = mk(g, 'text', 'coordlabel');
    t.setAttribute('text-anchor', 'middle');
    return g;
  });
  const { line: lh } = typeMetrics(view.opts.large === true);
  const members = groups.map((grp) => ({ group: grp.group, nodes: [...pos.values()].filter((d) => d.kind === 'consumer' && frame.members[d.id.slice(2)]?.group === grp.group) }));
  const geo = new Map(groupBoxes(members, view.width, lh).map((b) => [b.group, b]));
  groups.forEach((grp, k) => {
    const el = boxes[k];
    const [lineEl, rect, label, coordLabel] = [...el.children] as El[];
    set(el, 'data-testid', `group-${grp.group}`);
    set(el, 'data-state', grp.state);
    set(el, 'data-generation', grp.generation);
    set(el, 'data-coordinator', grp.coordinator);
    const box = geo.get(grp.group);
    if (box === undefined) return set(el, 'display', 'none');
    set(el, 'display', 'inline');
    const { x0, x1, y0, y1 } = box;
    for (const [a, v] of [
      ['x', x0],
      ['y', y0],
      ['width', x1 - x0],
      ['height', y1 - y0],
      ['rx', 8],
    ] as const)
      set(rect, a, px(v));
    set(rect, 'class', `groupbox ${grp.rebalanceSinceUs !== undefined ? 'rebalancing' : grp.state.toLowerCase()}`);
    set(label, 'x', px(x0 + 6));
    set(label, 'y', px(y0 + lh - 3));
    text(label, `${grp.group} · gen ${grp.generation} · ${grp.rebalanceSinceUs !== undefined ? 'rebalancing' : grp.state}`);
    const b = pos.get(`b${grp.coordinator}`);
    set(coordLabel, 'display', b === undefined ? 'none' : 'inline');
    if (b === undefined) return set(lineEl, 'display', 'none');
    set(lineEl, 'display', 'inline');
    const cx = x0;
    const cy = (y0 + y1) / 2;
    const len = Math.max(1, Math.hypot(cx - b.x, cy - b.y));
    set(lineEl, 'x1', px(b.x + ((cx - b.x) / len) * (b.r + 3)));
    set(lineEl, 'y1', px(b.y + ((cy - b.y) / len) * (b.r + 3)));
    set(lineEl, 'x2', px(cx));
    set(lineEl, 'y2', px(cy));
    // The line's name, near the box (the middle of the line is among the broker links).
    set(coordLabel, 'x', px(cx - (cx - b.x) * 0.22));
    set(coordLabel, 'y', px(cy - (cy - b.y) * 0.22 - 4));
    text(coordLabel, `coordinator b${grp.coordinator}`);
  });
}

/** (Re)builds what does not change from frame to frame: nodes, links, legend. */
function build(svgEl: SVGSVGElement, frame: Frame, size: Size, opts: ClusterOptions, key: string): View {
  const svg = svgEl as SVGSVGElement & El;
  set(svg, 'viewBox', `0 0 ${size.width} ${size.height}`);
  set(svg, 'width', size.width);
  set(svg, 'height', size.height);
  svgEl.replaceChildren();
  const pos = layout(frame, size, opts.large === true);
  const r = Math.max(...[...pos.values()].map((d) => d.r));
  const gGroups = mk(svgEl, 'g', 'groups');
  const gLinks = mk(svgEl, 'g', 'links');
  const gHits = mk(svgEl, 'g', 'linkhits');
  const gCuts = mk(svgEl, 'g', 'cutmarks');
  const gMsgs = mk(svgEl, 'g', 'msgs');
  const gNodes = mk(svgEl, 'g', 'nodes');
  const gLegend = mk(svgEl, 'g', 'legend');
  const view: View = {
    key,
    header: frame.header,
    brokers: frame.brokers,
    clients: frame.clients,
    width: size.width,
    height: size.height,
    pos,
    r,
    links: [],
    nodes: [],
    gCuts,
    gMsgs,
    gGroups,
    cuts: undefined,
    msgs: new Map(),
    draws: 0,
    opts,
  };
  views.set(svgEl, view);

  buildLinks(view, gLinks, gHits);
  buildNodes(view, gNodes);
  buildLegend(gLegend, size, opts);
  return view;
}

/** Links: every broker pair, broker-controller, client-broker; drawn from edge to edge of the two nodes. */
function buildLinks(view: View, gLinks: El, gHits: El): void {
  const { pos, opts } = view;
  const ids = [...pos.keys()];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const a = pos.get(ids[i])!;
      const b = pos.get(ids[j])!;
      if (a.kind !== 'broker' && b.kind !== 'broker') continue;
      const line = mk(gLinks, 'line', 'link');
      const len = Math.max(1, Math.hypot(b.x - a.x, b.y - a.y));
      const ux = (b.x - a.x) / len;
      const uy = (b.y - a.y) / len;
      const coords = (el: El): void => {
        el.setAttribute('x1', String(px(a.x + ux * a.r)));
        el.setAttribute('y1', String(px(a.y + uy * a.r)));
        el.setAttribute('x2', String(px(b.x - ux * b.r)));
        el.setAttribute('y2', String(px(b.y - uy * b.r)));
      };
      coords(line);
      line.setAttribute('data-link', `${a.id}|${b.id}`);
      const l: LinkEls = { a: a.id, b: b.id, line, cutAB: false, cutBA: false };
      if (opts.onLinkClick !== undefined) {
        // A wide transparent band over the link, so a thin line is easy to hit; a click picks the link nearest the pointer.
        const hit = mk(gHits, 'line', 'linkhit');
        hit.setAttribute('data-testid', `link-${a.id}-${b.id}`);
        coords(hit);
        mk(hit, 'title').textContent = `link ${nodeName(a.id)} ↔ ${nodeName(b.id)}: click to cut or heal it`;
        l.hit = hit;
      }
      view.links.push(l);
    }
  }
  if (opts.onLinkClick !== undefined) wirePicking(view, gHits);
}

/** The pointer's position in the svg's coordinates. */
function svgPoint(el: Element, ev: MouseEvent): { x: number; y: number } {
  const svg = el.closest('svg')!;
  const m = svg.getScreenCTM();
  if (m === null) return { x: ev.offsetX, y: ev.offsetY };
  const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(m.inverse());
  return { x: p.x, y: p.y };
}

/** Clicks and hovers on the bands go to the link nearest the pointer (bands overlap near the nodes). */
function wirePicking(view: View, gHits: El): void {
  let hovered: LinkEls | undefined;
  const pick = (ev: MouseEvent): LinkEls | undefined => nearestLink(view.links, view.pos, svgPoint(gHits, ev), 14);
  gHits.addEventListener('click', (ev) => {
    const l = pick(ev as MouseEvent);
    if (l !== undefined) view.opts.onLinkClick?.(l.a, l.b, l.cutAB || l.cutBA, ev as MouseEvent);
  });
  gHits.addEventListener('mousemove', (ev) => {
    const l = pick(ev as MouseEvent);
    if (l === hovered) return;
    hovered?.line.classList.remove('hover');
    l?.line.classList.add('hover');
    hovered = l;
  });
  gHits.addEventListener('mouseleave', () => {
    hovered?.line.classList.remove('hover');
    hovered = undefined;
  });
}

/** Nodes: a shape, a name and two lines of state each, the lines where the layout puts them; brokers click to the fault menu. */
function buildNodes(view: View, gNodes: El): void {
  const { pos, opts } = view;
  for (const d of pos.values()) {
    const g = mk(gNodes, 'g', d.kind === 'broker' && opts.onNodeClick !== undefined ? 'node clickable' : 'node');
    g.setAttribute('transform', `translate(${px(d.x)},${px(d.y)})`);
    g.setAttribute('data-testid', `node-${d.id}`);
    g.addEventListener('click', (ev) => {
      if (d.kind === 'broker') view.opts.onNodeClick?.(d.id, ev as MouseEvent);
    });
    const circle = mk(g, 'circle', `shape ${d.kind}`);
    circle.setAttribute('r', String(px(d.r)));
    const name = mk(g, 'text', 'name');
    name.setAttribute('text-anchor', 'middle');
    name.setAttribute('dominant-baseline', 'central');
    name.textContent = d.kind === 'broker' ? d.label.replace(/ \(.*\)$/, '') : d.kind === 'controller' ? 'ctl' : d.label.slice(2);
    // Small nodes (many brokers): a smaller name.
    if (d.r < 16) name.setAttribute('style', `font-size:${Math.max(9, Math.round(d.r * 0.85))}px`);
    const sub = mk(g, 'text', 'sub');
    const sub2 = mk(g, 'text', 'sub2');
    const { line } = typeMetrics(opts.large === true);
    for (const [el, y] of [
      [sub, d.lab.y],
      [sub2, d.lab.y + line],
    ] as const) {
      el.setAttribute('text-anchor', d.lab.anchor);
      el.setAttribute('x', String(px(d.lab.x)));
      el.setAttribute('y', String(px(y)));
    }
    mk(g, 'title').textContent = d.kind === 'broker' ? `${d.label}: click to crash or restart it here` : d.label;
    view.nodes.push({ d, g, circle, name, sub, sub2 });
  }
}

/** The legend of message colors (hidden in large mode). */
function buildLegend(gLegend: El, size: Size, opts: ClusterOptions): void {
  gLegend.setAttribute('transform', `translate(8,${size.height - 8})`);
  if (opts.large) gLegend.setAttribute('display', 'none');
  const charW = opts.large ? 9 : 6.5;
  let x = 0;
  for (const [label, color] of LEGEND) {
    const g = mk(gLegend, 'g');
    g.setAttribute('transform', `translate(${x},0)`);
    const c = mk(g, 'circle');
    c.setAttribute('r', '4');
    c.setAttribute('cy', '-4');
    c.setAttribute('fill', color);
    const t = mk(g, 'text');
    t.setAttribute('x', '7');
    t.setAttribute('y', '0');
    t.textContent = label;
    x += 22 + label.length * charW;
  }
}

/** The child selected by `sel` ("tag.class"), created once. */
export function ensure<P extends d3.BaseType>(parent: d3.Selection<P, unknown, null, undefined>, sel: string): d3.Selection<SVGGElement, unknown, null, undefined> {
  let s = parent.select<SVGGElement>(sel) as unknown as d3.Selection<SVGGElement, unknown, null, undefined>;
  if (s.empty()) {
    const [tag, cls] = sel.split('.');
    s = parent.append(tag as 'g').attr('class', cls) as unknown as d3.Selection<SVGGElement, unknown, null, undefined>;
  }
  return s;
}

/** ["orders-0", "orders-2", "audit-1"] → "orders-0,2 audit-1". */
export function compactTps(tps: string[]): string {
  const by = new Map<string, string[]>();
  for (const tp of tps) {
    const k = tp.lastIndexOf('-');
    const topic = tp.slice(0, k);
    by.set(topic, [...(by.get(topic) ?? []), tp.slice(k + 1)]);
  }
  return [...by].map(([t, ps]) => `${t}-${ps.join(',')}`).join(' ');
}
