/**
 * Problems found in a scenario and the error that carries them: collected with their paths, located in
 * the YAML text, sorted in file order. Also the translation of YAML errors and zod issues into problems.
 */
import { z } from 'zod';
import { isMap, isScalar, isSeq, type LineCounter, type Document, type Node } from 'yaml';
import { suggest, unknownConfigParts, type ConfigGroup } from '../config/config.js';
import { problemText, UnitError, type ProblemParts } from '../config/units.js';
import { CONFIG_OBJECTS } from './schema.js';

export type Path = (string | number)[];

/** One problem found in a scenario. */
export interface ScenarioProblem {
  /** Where, e.g. `producers[0].config.ackz`; empty for the whole file. */
  path: string;
  /** What, on one line, without source and path. */
  message: string;
  /** 1-based position in the text, when known. */
  line?: number;
  col?: number;
}

/** A scenario that does not parse or validate. `message` is one line: the first problem in file order. */
export class ScenarioError extends Error {
  readonly source: string;
  /** Every problem found, in file order. */
  readonly problems: ScenarioProblem[];
  constructor(source: string, problems: ScenarioProblem[]) {
    const first = problems[0]!;
    super(first.path ? `${source}: ${first.path}: ${first.message}` : `${source}: ${first.message}`);
    this.name = 'ScenarioError';
    this.source = source;
    this.problems = problems;
  }
}

function formatPath(path: Path): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

interface Found {
  path: Path;
  parts: ProblemParts;
}

/** Collects problems during normalization; helpers return undefined after reporting. */
export class Problems {
  readonly found: Found[] = [];
  report(path: Path, parts: ProblemParts): undefined {
    this.found.push({ path, parts });
    return undefined;
  }
  /** Runs a unit parser on an optional value; a UnitError becomes a problem at path. */
  unit(path: Path, raw: unknown, parse: (v: unknown) => number): number | undefined {
    if (raw === undefined) return undefined;
    try {
      return parse(raw);
    } catch (e) {
      if (e instanceof UnitError) return this.report(path, e.parts);
      throw e;
    }
  }
}

export function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

export function yamlError(doc: Document, lines: LineCounter, source: string): ScenarioError {
  const problems = doc.errors.map((e) => {
    const { line, col } = lines.linePos(e.pos[0]);
    return { path: '', message: `invalid YAML: ${firstLine(e.message)}`, line, col };
  });
  const first = problems[0]!;
  const err = new ScenarioError(source, problems);
  // The position goes where the path would: `file.yaml:3:5: invalid YAML: …` is clickable in terminals.
  err.message = `${source}:${first.line}:${first.col}: ${first.message}`;
  return err;
}

export function scenarioError(source: string, problems: Problems, doc: Document, lines: LineCounter): ScenarioError {
  const located = problems.found.map(({ path, parts }) => {
    const { order, ...pos } = positionOf(doc, lines, path);
    return { problem: { path: formatPath(path), message: problemText(parts), ...pos }, order };
  });
  located.sort((a, b) => a.order - b.order); // stable: the same place keeps discovery order
  return new ScenarioError(
    source,
    located.map((l) => l.problem),
  );
}

/**
 * Line and column of the deepest node on the path (for a mapping entry its key, so the line reads well),
 * and an offset to sort by. A missing key can only point at its parent mapping; it sorts at the parent's
 * end, so a misspelt key inside the same mapping (`ratee` for a missing `rate`) is reported first.
 */
function positionOf(doc: Document, lines: LineCounter, path: Path): { line?: number; col?: number; order: number } {
  let node: unknown = doc.contents;
  let offset: number | undefined = rangeStart(node);
  let depth = 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      node = node.items[seg];
      offset = rangeStart(node) ?? offset;
    } else break;
    depth++;
  }
  const order = (depth === path.length ? offset : (node as Node | null)?.range?.[1]) ?? Infinity;
  return offset === undefined ? { order } : { ...lines.linePos(offset), order };
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

/** Per-parse error map: every issue's message becomes an "expected …" phrase (or known keys, encoded). */
export function zodMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'unrecognized_keys': {
      // The message carries what translateIssue needs for a did-you-mean: the object's keys and config group.
      const inst = iss.inst;
      const known = inst instanceof z.ZodObject ? Object.keys(inst.shape) : [];
      return JSON.stringify({ known, group: inst ? CONFIG_OBJECTS.get(inst) : undefined });
    }
    case 'invalid_type':
      return TYPE_WORDS[iss.expected] ?? iss.expected;
    case 'too_small':
      return iss.origin === 'array' ? `a list of at least ${String(iss.minimum)}` : iss.origin === 'string' ? 'a non-empty string' : `a number ${iss.inclusive ? '≥' : '>'} ${String(iss.minimum)}`;
    case 'too_big':
      return iss.origin === 'array' ? `a list of at most ${String(iss.maximum)}` : `a number ${iss.inclusive ? '≤' : '<'} ${String(iss.maximum)}`;
    case 'invalid_value':
      return `one of ${iss.values.map((v) => String(v)).join(', ')}`;
    default:
      return undefined;
  }
}

function valueAt(input: unknown, path: Path): { present: boolean; value?: unknown } {
  let v: unknown = input;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return { present: false };
    v = (v as Record<string | number, unknown>)[seg];
  }
  return { present: true, value: v };
}

export function translateIssue(issue: z.core.$ZodIssue, input: unknown, prefix: Path, out: Problems): void {
  const path = [...prefix, ...(issue.path as Path)];
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) out.report([...path, key], unknownKeyParts(key, valueAt(input, [...path, key]).value, issue.message));
    return;
  }
  if (issue.code === 'invalid_union') {
    const branch = deepestBranch(issue.errors);
    if (branch) return branch.forEach((i) => translateIssue(i, input, path, out));
  }
  const at = valueAt(input, path);
  let parts: ProblemParts = at.present ? { expected: issue.message, got: at.value } : { problem: 'missing', expected: issue.message };
  if (issue.code === 'invalid_value' && typeof at.value === 'string') {
    const close = suggest(at.value, issue.values.map(String));
    if (close) parts = { ...parts, hint: `did you mean "${close}"?` };
  }
  out.report(path, parts);
}

/**
 * For a union none of whose options matched: the option that got furthest (its issues have the longest
 * paths, e.g. `{min: "x"}` failing inside `{min, max, eq}` rather than "not a number"), or undefined when
 * every option failed at the top, in which case the union's own message says what was expected.
 */
function deepestBranch(branches: z.core.$ZodIssue[][]): z.core.$ZodIssue[] | undefined {
  const depth = (b: z.core.$ZodIssue[]) => Math.max(...b.map((i) => (i.code === 'unrecognized_keys' ? 1 : i.path.length)));
  let best: z.core.$ZodIssue[] | undefined;
  for (const b of branches) if (b.length > 0 && depth(b) > 0 && (!best || depth(b) > depth(best))) best = b;
  return best;
}

/** Keys an older scenario file may still use, and what they are called now. */
const RENAMED_KEYS: Readonly<Record<string, { to: string; why: string }>> = {
  DELIVERY_TIMEOUT: {
    to: 'TimeoutException',
    why: 'a delivery timeout is what Kafka\'s producer reports: org.apache.kafka.common.errors.TimeoutException ("Expiring N record(s) for orders-0:… ms has passed since batch creation")',
  },
};

function unknownKeyParts(key: string, got: unknown, encoded: string): ProblemParts {
  let info: { known: string[]; group?: ConfigGroup } = { known: [] };
  try {
    info = JSON.parse(encoded) as typeof info; // written by zodMessage
  } catch {
    // not ours (zod changed?): report the key without suggestions rather than fail
  }
  const { known, group } = info;
  if (group) return unknownConfigParts(group, key, got);
  const renamed = RENAMED_KEYS[key];
  if (renamed !== undefined && known.includes(renamed.to)) return { problem: `renamed to "${renamed.to}"`, got, hint: renamed.why };
  const close = suggest(key, known);
  if (close) return { problem: 'unknown key', got, hint: `did you mean "${close}"?` };
  return { problem: 'unknown key', got, expected: `one of ${known.join(', ')}` };
}
