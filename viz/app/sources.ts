/** What runs: a bundled scenario, the seed and the knobs read from their inputs, files opened or dropped, and the YAML export. */
import { parseDocument } from 'yaml';
import { looksLikeTrace } from '../io/trace-file.js';
import { syncKnobInputs } from './inputs.js';
import { applyKnobs } from './knobs.js';
import { SCENARIOS } from './scenarios.js';
import type { App } from './state.js';
import { $, showError } from './ui.js';
import { run } from './worker-client.js';

export function runBundled(app: App, name: string, seed: number | undefined, at?: number): void {
  const text = SCENARIOS.get(name);
  if (text === undefined) {
    showError(`no scenario named "${name}" (have: ${[...SCENARIOS.keys()].join(', ')})`);
    return;
  }
  let withKnobs: string;
  try {
    withKnobs = applyKnobs(text, app.state.knobs);
  } catch (e) {
    showError(`settings: ${(e as Error).message}`);
    syncKnobInputs(app);
    return;
  }
  run(app, { kind: 'scenario', name, text: withKnobs, bundled: true }, seed, { i: at });
}

export function seedInput(): number | undefined {
  const v = $<HTMLInputElement>('seed').value.trim();
  if (v === '') return undefined;
  if (!/^\d+$/.test(v)) {
    showError(`seed: expected a non-negative integer, got "${v}"`);
    return undefined;
  }
  return Number(v);
}

export async function loadFile(app: App, file: File): Promise<void> {
  let text: string;
  try {
    // A trace is read by the trace worker as a stream (a 120 MB string read here and copied to the worker
    // cost seconds): look at its start only.
    const head = await file.slice(0, 4096).text();
    if (head.trim() !== '' && looksLikeTrace(head, file.name)) {
      run(app, { kind: 'trace', name: file.name, text: '', file, bundled: false }, undefined);
      return;
    }
    text = await file.text();
  } catch (e) {
    showError(`${file.name}: cannot read the file (${String(e)})`);
    return;
  }
  if (text.trim() === '') {
    showError(`${file.name}: the file is empty`);
    return;
  }
  const trace = looksLikeTrace(text, file.name);
  // A scenario file runs with its own seed (as `kafkasim run FILE` does); the seed box then shows it.
  run(app, { kind: trace ? 'trace' : 'scenario', name: file.name, text, bundled: false }, undefined);
}

/** Downloads the scenario shown (with its seed) as YAML. */
export function exportYaml(app: App): void {
  const { state } = app;
  const src = state.source;
  if (src === undefined || src.kind !== 'scenario') return;
  let text = src.text;
  if (state.seed !== undefined) {
    const doc = parseDocument(text);
    doc.set('seed', state.seed);
    text = doc.toString();
  }
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  a.download = `${src.name.replace(/\.(ya?ml|json)$/, '').replace(/[^\w.-]+/g, '-')}.yaml`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
