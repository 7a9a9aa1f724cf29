/// <reference types="vite/client" />
/**
 * The scenarios bundled with the page, and what each teaches: its title, description, question and short
 * answer, what to compare it with, and its group in the picker (as the docs group them).
 */
import { parse } from 'yaml';

// Every scenario file, by its path under scenarios/ ("killed-leader", "catalog/jepsen-2013-isr-shrink-0.10", ...).
const files = import.meta.glob('/scenarios/**/*.yaml', { query: '?raw', eager: true, import: 'default' }) as Record<string, string>;
export const SCENARIOS = new Map<string, string>(
  Object.entries(files)
    .map(([path, text]) => [path.replace(/^\/scenarios\//, '').replace(/\.yaml$/, ''), text] as [string, string])
    .sort(([a], [b]) => (a.includes('/') === b.includes('/') ? a.localeCompare(b) : a.includes('/') ? 1 : -1)),
);
export const DEFAULT_SCENARIO = SCENARIOS.has('killed-leader') ? 'killed-leader' : [...SCENARIOS.keys()][0];

/** The B picker's value for "A's scenario, with its faults, under B's settings". */
export const SAME = '__same';

/** What a scenario file says it teaches (the scenario format's title, description, question, answer, compare). */
export interface Story {
  name: string;
  title: string;
  description: string;
  question?: string;
  answer?: string;
  /** The bundled scenario (its name) to show beside it, or the settings B changes. */
  compare?: { with?: string; set?: Record<string, string | number | boolean> };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The story fields of a scenario's text; a file that does not parse has none (the run reports why). */
export function storyOf(source: string, fallbackName = ''): Story {
  let raw: Record<string, unknown> = {};
  try {
    const doc: unknown = parse(source);
    if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) raw = doc as Record<string, unknown>;
  } catch {
    // Not YAML: the run says so.
  }
  const name = text(raw.name) ?? fallbackName;
  const story: Story = { name, title: text(raw.title) ?? name, description: text(raw.description) ?? '' };
  const question = text(raw.question);
  const answer = text(raw.answer);
  if (question !== undefined) story.question = question;
  if (answer !== undefined) story.answer = answer;
  const c = raw.compare as Story['compare'] | undefined;
  if (c !== null && typeof c === 'object') {
    if (typeof c.with === 'string') story.compare = { with: c.with };
    else if (c.set !== null && typeof c.set === 'object') story.compare = { set: c.set };
  }
  return story;
}

/** Each bundled scenario's story, by its path. */
export const STORIES = new Map<string, Story>([...SCENARIOS].map(([key, t]) => [key, storyOf(t, key)]));
/** A bundled scenario's path, by its name (a trace's header names its scenario). */
export const BY_NAME = new Map<string, string>([...STORIES].map(([key, s]) => [s.name, key]));

/** The picker's groups, as the docs group the files: getting started, the questions users ask, Kafka's known failures. */
export interface PickerGroup {
  label: string;
  keys: string[];
}

/** "kip101-hw-truncation-0.10" → "KIP-101", "kafka10751-…" → "KAFKA-10751", "jepsen-2013-…" → "Jepsen 2013". */
function failureOf(file: string): string {
  const kip = /^kip(\d+)/.exec(file);
  if (kip) return `KIP-${kip[1]}`;
  const issue = /^kafka(\d+)/.exec(file);
  if (issue) return `KAFKA-${issue[1]}`;
  const jepsen = /^jepsen-(\d+)/.exec(file);
  return jepsen ? `Jepsen ${jepsen[1]}` : file.split('-')[0]!;
}

export function pickerGroups(): PickerGroup[] {
  const groups = new Map<string, PickerGroup>();
  const add = (label: string, key: string): void => {
    if (!groups.has(label)) groups.set(label, { label, keys: [] });
    groups.get(label)!.keys.push(key);
  };
  for (const key of SCENARIOS.keys()) if (!key.includes('/')) add('Getting started', key);
  for (const [key, s] of STORIES) {
    const q = /^questions\/q(\d+)/.exec(key);
    if (q) add(`Q${Number(q[1])}. ${s.question ?? key}`, key);
  }
  for (const key of SCENARIOS.keys()) if (key.startsWith('catalog/')) add(`Known failure: ${failureOf(key.slice('catalog/'.length))}`, key);
  // Anything else (a folder the docs do not name), under its folder.
  for (const key of SCENARIOS.keys()) if (key.includes('/') && !/^(questions|catalog)\//.test(key)) add(key.split('/')[0]!, key);
  return [...groups.values()];
}

/** The bundled scenario a scenario's compare.with names (by name), if there is one. */
export function partnerOf(story: Story | undefined): string | undefined {
  const other = story?.compare?.with;
  return other === undefined ? undefined : BY_NAME.get(other);
}
