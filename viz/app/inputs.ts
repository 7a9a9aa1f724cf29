/** The pickers, seed inputs and settings bar: A's shown as the run loaded, B's read (compare mode). */
import { currentKnobs, KNOBS, type Knobs } from './knobs.js';
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

/**
 * The settings bar shows the values in force in the run shown: the scenario's own (or a knob's) as values,
 * the rest as the Kafka version's defaults, greyed, titled "default (4.1)". Refreshed whenever the run
 * shown changes (a scenario picked, a file opened, a link, a fault clicked, Apply); empty for a trace.
 */
export function syncKnobInputs(app: App): void {
  const s = app.state.settings;
  for (const k of KNOBS) {
    const input = document.querySelector<HTMLInputElement>(`[data-knob="${k}"]`);
    if (input === null) continue;
    const v = s?.knobs[k];
    const dflt = v?.from === 'default';
    input.value = v !== undefined && !dflt ? v.value : '';
    input.placeholder = dflt ? v.value : '';
    input.classList.toggle('default', dflt);
    input.dataset.source = v === undefined ? 'none' : v.from;
    input.title =
      v === undefined
        ? `${k}: nothing to set in a trace file`
        : dflt
          ? `default (${s!.kafkaVersion}): the scenario does not set ${k}, so Kafka ${s!.kafkaVersion}'s default is in force; type a value to change it`
          : `${k}=${v.value}, set by the scenario; change it and press Apply`;
  }
}

/**
 * The knobs the settings bar asks for, against a scenario's text: each box whose value differs from what
 * the text itself sets (an empty box keeps the text's value or the default).
 */
export function knobsFromInputs(baseText: string): Knobs {
  const own = currentKnobs(baseText);
  const out: Knobs = {};
  for (const k of KNOBS) {
    const v = document.querySelector<HTMLInputElement>(`[data-knob="${k}"]`)?.value.trim() ?? '';
    if (v !== '' && v !== own[k]) out[k] = v;
  }
  return out;
}
