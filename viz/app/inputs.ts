/** The pickers and seed inputs of the two runs: A's shown as the run loaded, B's read (compare mode). */
import type { App } from './state.js';
import { $ } from './ui.js';

/** The picker and the seed input show the run shown (a custom entry for a file or an edited scenario). */
export function syncPicker(app: App): void {
  const { state } = app;
  const sel = $<HTMLSelectElement>('scenario');
  const src = state.source;
  const custom = sel.querySelector<HTMLOptionElement>('option[data-custom]');
  if (src && !src.bundled) {
    const label = `${src.name}${src.kind === 'trace' ? ' (trace)' : ''}`;
    if (custom) custom.textContent = label;
    else sel.append(Object.assign(document.createElement('option'), { value: '__custom', textContent: label }));
    sel.querySelector<HTMLOptionElement>('option[value="__custom"]')!.dataset.custom = '1';
    sel.value = '__custom';
  } else {
    custom?.remove();
    if (src) sel.value = src.name;
  }
  if (state.seed !== undefined) $<HTMLInputElement>('seed').value = String(state.seed);
  $<HTMLButtonElement>('export').disabled = src?.kind !== 'scenario';
}

export const cmpPicker = (): string => $<HTMLSelectElement>('cmp-scenario').value;
export function cmpSeedInput(): number | undefined {
  const v = $<HTMLInputElement>('cmp-seed').value.trim();
  return /^\d+$/.test(v) ? Number(v) : undefined;
}
