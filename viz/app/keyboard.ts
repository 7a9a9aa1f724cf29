/** Keyboard shortcuts (the help panel lists them). */
import { setCompare } from './compare.js';
import { toggleHelp, setLarge } from './controls.js';
import { jumpItem, lastIndex, setPlaying, setSpeed, step, stopAt } from './playback.js';
import type { App } from './state.js';
import { $, hideError } from './ui.js';
import { closeWhy } from './why-panel.js';

/** The action of a key (with or without Shift), or undefined for a key that is not a shortcut. */
function action(app: App, key: string, shift: boolean): (() => void) | undefined {
  const { state } = app;
  switch (key) {
    case ' ':
      return () => setPlaying(app, !state.playing);
    case 'ArrowRight':
      return () => (shift ? jumpItem(app, 1) : step(app, 1));
    case 'ArrowLeft':
      return () => (shift ? jumpItem(app, -1) : step(app, -1));
    case 'n':
      return () => jumpItem(app, 1);
    case 'p':
      return () => jumpItem(app, -1);
    case 'Home':
      return () => stopAt(app, 0);
    case 'End':
      return () => stopAt(app, lastIndex(app));
    case '+':
    case '=':
      return () => setSpeed(app, state.speedLog + 0.25);
    case '-':
      return () => setSpeed(app, state.speedLog - 0.25);
    case '?':
      return () => toggleHelp();
    case 'Escape':
      return () => {
        toggleHelp(false);
        closeWhy(app);
        $('fault-menu').hidden = true;
        hideError();
      };
    case 'l':
      return () => setLarge(app, !state.large);
    case 't':
      return () => $('window').click();
    case 'b':
      return () => setCompare(app, !app.cmp.on);
    case 'c':
      return () => $('charts').click();
    default:
      return undefined;
  }
}

export function wireKeyboard(app: App): void {
  window.addEventListener('keydown', (e) => {
    const tag = (e.target as HTMLElement).tagName;
    if ((tag === 'INPUT' && (e.target as HTMLInputElement).type !== 'range') || tag === 'SELECT' || tag === 'TEXTAREA') return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const act = action(app, e.key, e.shiftKey);
    if (act === undefined) return;
    act();
    e.preventDefault();
  });
}
