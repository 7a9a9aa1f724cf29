/** Clicking a broker or a link in the cluster view: a menu of faults to add at the cursor's time. */
import { isSeq, parseDocument, YAMLSeq } from 'yaml';
import { fmtTime, nodeName } from '../derive/narrative.js';
import type { App } from './state.js';
import { $ } from './ui.js';
import { run } from './worker-client.js';

/** Shows the menu at the click with one button per action. */
function showMenu(title: string, buttons: HTMLButtonElement[], ev: MouseEvent): void {
  const menu = $('fault-menu');
  $('fault-title').textContent = title;
  $('fault-actions').replaceChildren(...buttons);
  menu.hidden = false;
  menu.style.left = `${Math.min(ev.clientX, window.innerWidth - 220)}px`;
  menu.style.top = `${Math.min(ev.clientY, window.innerHeight - 120)}px`;
}

/** A menu button that hides the menu and then acts. */
function menuButton(label: string, onclick: () => void): HTMLButtonElement {
  const btn = document.createElement('button');
  btn.textContent = label;
  btn.onclick = () => {
    $('fault-menu').hidden = true;
    onclick();
  };
  return btn;
}

/**
 * Clicking a broker: crash, power-fail, pause or shut it down, or fail its disks (or restart or resume it,
 * or replace a failed disk, which starts it again).
 */
export function openFaultMenu(app: App, node: string, ev: MouseEvent): void {
  const { state } = app;
  const b = Number(node.slice(1));
  const frame = state.model.index.frameAt(state.cursorI);
  const st = frame.brokers[b]?.process;
  const at = Math.round(state.cursorT);
  // A broker with a failed disk may have it replaced (a running one is shut down for it first): the menu
  // offers it only then. (A running broker always has a working disk: with none left it halts.)
  const replace: Array<[string, Record<string, unknown>]> = (frame.brokers[b]?.failedDirs?.length ?? 0) > 0 ? [['replace disk', { replaceDisk: `broker ${b}` }]] : [];
  const actions: Array<[string, Record<string, unknown>]> =
    st === 'crashed' || st === 'stopped'
      ? [['restart', { restart: `broker ${b}` }], ...replace]
      : st === 'paused'
        ? [['resume', { resume: `broker ${b}` }]]
        : [
            ['crash', { crash: `broker ${b}` }],
            ['power', { crash: `broker ${b}`, mode: 'power' }],
            ['pause', { pause: `broker ${b}` }],
            ['shutdown', { shutdown: `broker ${b}` }],
            ['fail disk', { failDisk: `broker ${b}` }],
            ...replace,
          ];
  const buttons = actions.map(([label, spec]) => {
    const btn = menuButton(label, () => injectSpec(app, at, spec));
    btn.title = `{ at: ${at}us, ${Object.entries(spec)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')} }`;
    return btn;
  });
  showMenu(`broker ${b} at ${fmtTime(at)}`, buttons, ev);
}

/** A trace node name as a scenario target ("b1" → "b1", "p:p1" → "producer p1", ...). */
function target(node: string): string {
  if (node === 'ctl') return 'controller';
  if (node.startsWith('p:')) return `producer ${node.slice(2)}`;
  if (node.startsWith('c:')) return `consumer ${node.slice(2)}`;
  return node;
}

/** Clicking a link: cut it (both ways or one way) or heal it, at the cursor's time. */
export function openLinkMenu(app: App, a: string, b: string, cut: boolean, ev: MouseEvent): void {
  const at = Math.round(app.state.cursorT);
  const between = [target(a), target(b)];
  // Words by Kafka's and the scenario's names ("producer p1", "broker 1"); test ids keep the trace's ids.
  const [na, nb] = [nodeName(a), nodeName(b)];
  const actions: Array<[string, string, Record<string, unknown>]> = cut
    ? [['heal', 'heal', { heal: { between } }]]
    : [
        ['cut both ways', 'cut both ways', { partition: { between } }],
        [`cut ${na} → ${nb}`, `cut ${a} ${b}`, { partition: { between, oneWay: true } }],
        [`cut ${nb} → ${na}`, `cut ${b} ${a}`, { partition: { between: [between[1], between[0]], oneWay: true } }],
      ];
  const buttons = actions.map(([label, id, spec]) => {
    const btn = menuButton(label, () => injectSpec(app, at, spec));
    btn.dataset.testid = `link-${id.replace(/\W+/g, '-')}`;
    return btn;
  });
  showMenu(`link ${na} ↔ ${nb} at ${fmtTime(at)}`, buttons, ev);
}

/** Adds `{ at, ...spec }` to the scenario's faults and runs it again with the same seed. */
function injectSpec(app: App, atUs: number, spec: Record<string, unknown>): void {
  const src = app.state.source;
  if (src === undefined || src.kind !== 'scenario') return;
  const doc = parseDocument(src.text);
  let faults = doc.get('faults');
  if (!isSeq(faults)) {
    faults = new YAMLSeq();
    doc.set('faults', faults);
  }
  const node = doc.createNode({ at: `${atUs}us`, ...spec });
  node.flow = true;
  (faults as YAMLSeq).add(node);
  // Keep faults in time order is not needed: the simulator schedules each at its own time.
  const name = src.name.replace(/( \(edited\))?(\.ya?ml|\.json)?$/, '') + ' (edited)';
  run(app, { kind: 'scenario', name, text: doc.toString(), bundled: false }, app.state.seed, { t: atUs });
}
