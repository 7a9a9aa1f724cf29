/**
 * Tidy: rules about the source tree itself, read as text and parsed (in the spirit of TigerBeetle's tidy.zig).
 *
 * - sim/ is the deterministic model: it imports nothing from viz/, cli/, bench/ or Node's built-in modules,
 *   and reads no wall clock, timer or Math.random (randomness comes from seeded streams, time from the kernel).
 * - Folders of sim/ import each other only in the directions of SIM_LAYERS.
 * - viz/, cli/ and bench/ reach sim/ only through its public entry point, sim/index.ts.
 * - No import cycles between modules (type-only imports count too).
 * - No function longer than MAX_FUNCTION_LINES lines, except those in LONG_FUNCTIONS, which may only shrink.
 *
 * Every rule reports all its offenders at once. After functions were split or shortened, print a fresh
 * allowlist to paste into LONG_FUNCTIONS with `UPDATE_TIDY=1 npx vitest run test/tidy.test.ts`.
 *
 * The parser is the one Vite ships (oxc, through `parseAst`): it gives an ESTree AST of TypeScript with
 * UTF-16 offsets, so comments and strings never count as code.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAst } from 'vite';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TREES = ['sim', 'viz', 'cli', 'bench'];
const MAX_FUNCTION_LINES = 70;

/**
 * Which folders of sim/ a folder may import (its own is always allowed), and which it may import only
 * with type-only imports (`import type`, `export type`, `import('…').T`). '*' allows every folder.
 * `index` is sim/index.ts, the public entry point.
 */
const SIM_LAYERS: Record<string, { imports: readonly string[] | '*'; typeOnly?: readonly string[] }> = {
  kernel: { imports: [] },
  trace: { imports: [] },
  config: { imports: [] },
  checks: { imports: ['trace'] },
  scenario: { imports: ['config', 'trace', 'checks'] },
  resources: { imports: ['kernel', 'trace', 'config'], typeOnly: ['scenario'] },
  kafka: { imports: ['kernel', 'resources', 'trace', 'config'], typeOnly: ['scenario'] },
  report: { imports: ['trace', 'checks', 'kafka', 'scenario', 'config', 'kernel'] },
  run: { imports: '*' },
  explore: { imports: ['scenario', 'config'], typeOnly: ['checks', 'report'] },
  index: { imports: '*' },
};

/**
 * Imports that break SIM_LAYERS today, as `importer → imported`: each must go (the test fails when one is no
 * longer there, so the list only shrinks). disk.ts should name what it needs of a log with a type of its own.
 */
const LAYER_EXCEPTIONS: readonly string[] = [];

/** What sim/ may not use: wall clocks, timers and unseeded randomness. */
const FORBIDDEN_MEMBERS = ['Date.now', 'performance.now', 'Math.random'];
const FORBIDDEN_GLOBALS = ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask'];
const FORBIDDEN_NEW = ['Date'];

/**
 * Functions longer than MAX_FUNCTION_LINES today, with their length in lines: each may only shrink.
 * Remove an entry once its function is at most MAX_FUNCTION_LINES lines long.
 */
const LONG_FUNCTIONS: Record<string, number> = {
  'viz/io/trace-file.ts: TraceBlockEncoder.scan': 77,
};

// ---------------------------------------------------------------------------------------------------------
// Reading the tree.

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

interface Import {
  /** The specifier as written. */
  spec: string;
  /** The module it names, relative to the repository root (relative imports only). */
  target?: string;
  typeOnly: boolean;
  line: number;
}

interface Module {
  path: string;
  text: string;
  ast: Node;
  lineStarts: number[];
  imports: Import[];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(posix.join(ROOT, dir)).sort()) {
    const rel = posix.join(dir, name);
    if (statSync(posix.join(ROOT, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.ts$/.test(name) && !/\.d\.ts$/.test(name)) out.push(rel);
  }
  return out;
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';
}

/** Calls `visit` on every node below `node` (depth first, parents before children) with its ancestors. */
function walk(node: Node, visit: (node: Node, ancestors: readonly Node[]) => void, ancestors: Node[] = []): void {
  visit(node, ancestors);
  ancestors.push(node);
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const v of value) if (isNode(v)) walk(v, visit, ancestors);
    } else if (isNode(value)) walk(value, visit, ancestors);
  }
  ancestors.pop();
}

function lineOf(m: Module, offset: number): number {
  let lo = 0;
  let hi = m.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (m.lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** The file a relative specifier names: `./x.js` is x.ts, a folder is its index.ts. */
function resolve(from: string, spec: string): string {
  const p = posix.normalize(posix.join(posix.dirname(from), spec));
  for (const candidate of [p.replace(/\.js$/, '.ts'), p, `${p}.ts`, posix.join(p, 'index.ts')]) {
    if (existsSync(posix.join(ROOT, candidate)) && statSync(posix.join(ROOT, candidate)).isFile()) return candidate;
  }
  return p;
}

function importsOf(m: Omit<Module, 'imports'>): Import[] {
  const out: Import[] = [];
  const add = (source: unknown, typeOnly: boolean, at: Node): void => {
    if (!isNode(source) || typeof source.value !== 'string') return; // a computed dynamic import
    const spec = source.value;
    out.push({ spec, target: spec.startsWith('.') ? resolve(m.path, spec) : undefined, typeOnly, line: lineOf(m as Module, at.start) });
  };
  walk(m.ast, (n) => {
    switch (n.type) {
      case 'ImportDeclaration': {
        const specifiers = n.specifiers as Node[];
        add(n.source, n.importKind === 'type' || (specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type')), n);
        break;
      }
      case 'ExportNamedDeclaration':
      case 'ExportAllDeclaration':
        if (n.source) add(n.source, n.exportKind === 'type', n);
        break;
      case 'ImportExpression':
        add(n.source, false, n);
        break;
      case 'TSImportType':
        add(n.source ?? (n.argument as Node | undefined)?.literal, true, n);
        break;
    }
  });
  return out;
}

function load(path: string, text = readFileSync(posix.join(ROOT, path), 'utf8')): Module {
  const ast = parseAst(text, { lang: 'ts' }, path) as unknown as Node;
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const m = { path, text, ast, lineStarts };
  return { ...m, imports: importsOf(m) };
}

const MODULES: Module[] = TREES.flatMap((t) => sourceFiles(t)).map((p) => load(p));
const BY_PATH = new Map(MODULES.map((m) => [m.path, m]));

/** The sim/ folder a module belongs to (`index` for sim/index.ts), or undefined outside sim/. */
function simFolder(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] !== 'sim') return undefined;
  return parts.length === 2 ? parts[1].replace(/\.ts$/, '') : parts[1];
}

function fail(rule: string, offenders: string[]): void {
  expect(offenders, `${rule}: ${offenders.length} offender(s):\n  ${offenders.join('\n  ')}`).toEqual([]);
}

/** Where a module reads a wall clock, a timer or Math.random (code only: comments and strings are not code). */
function wallClockUses(m: Module): string[] {
  const offenders: string[] = [];
  walk(m.ast, (n, ancestors) => {
    const parent = ancestors.at(-1);
    const at = `${m.path}:${lineOf(m, n.start)}`;
    if (n.type === 'MemberExpression' && !n.computed && isNode(n.object) && n.object.type === 'Identifier' && isNode(n.property)) {
      const name = `${n.object.name as string}.${n.property.name as string}`;
      if (FORBIDDEN_MEMBERS.includes(name)) offenders.push(`${at} uses ${name}`);
    }
    if (n.type === 'NewExpression' && isNode(n.callee) && n.callee.type === 'Identifier' && FORBIDDEN_NEW.includes(n.callee.name as string)) {
      offenders.push(`${at} uses new ${n.callee.name as string}`);
    }
    if (n.type === 'Identifier' && FORBIDDEN_GLOBALS.includes(n.name as string)) {
      const isPropertyName =
        (parent?.type === 'MemberExpression' && parent.property === n && !parent.computed) ||
        (['Property', 'MethodDefinition', 'PropertyDefinition', 'TSPropertySignature', 'TSMethodSignature'].includes(parent?.type ?? '') && parent?.key === n && !parent?.computed);
      if (!isPropertyName) offenders.push(`${at} uses ${n.name as string}`);
    }
  });
  return offenders;
}

// ---------------------------------------------------------------------------------------------------------
// Functions and their lengths.

interface FunctionInfo {
  key: string;
  lines: number;
}

function keyName(key: unknown, m: Module): string {
  if (!isNode(key)) return '?';
  if (key.type === 'Identifier' || key.type === 'PrivateIdentifier') return `${key.type === 'PrivateIdentifier' ? '#' : ''}${key.name as string}`;
  if (key.type === 'Literal') return String(key.value);
  return `[${m.text.slice(key.start, key.end)}]`;
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** A readable, stable name for a function from where it stands (not from its line, which moves). */
function ownName(n: Node, parent: Node | undefined, m: Module): string {
  if (n.type === 'MethodDefinition' || n.type === 'PropertyDefinition' || n.type === 'TSAbstractMethodDefinition') {
    const kind = n.kind === 'get' || n.kind === 'set' ? `${n.kind as string} ` : '';
    return kind + keyName(n.key, m);
  }
  if (isNode(n.id)) return (n.id as Node).name as string;
  if (parent?.type === 'VariableDeclarator') return keyName(parent.id, m);
  if (parent?.type === 'Property' || parent?.type === 'PropertyDefinition') return keyName(parent.key, m);
  if (parent?.type === 'AssignmentExpression') return m.text.slice((parent.left as Node).start, (parent.left as Node).end);
  if (parent?.type === 'CallExpression' || parent?.type === 'NewExpression') {
    const callee = parent.callee as Node;
    const text = m.text.slice(callee.start, callee.end).replace(/\s+/g, ' ');
    return `${text.length > 40 ? `${text.slice(0, 40)}…` : text}(…) callback`;
  }
  return '<anonymous>';
}

function functionsOf(m: Module): FunctionInfo[] {
  const out: FunctionInfo[] = [];
  const seen = new Map<string, number>();
  walk(m.ast, (n, ancestors) => {
    const parent = ancestors.at(-1);
    const isMember = n.type === 'MethodDefinition' || n.type === 'TSAbstractMethodDefinition' || (n.type === 'PropertyDefinition' && isNode(n.value) && FUNCTION_TYPES.has((n.value as Node).type));
    // A method's function is counted as the method (with its name), not again on its own.
    const isFunction = FUNCTION_TYPES.has(n.type) && !(parent && (parent.type === 'MethodDefinition' || parent.type === 'TSAbstractMethodDefinition' || parent.type === 'PropertyDefinition'));
    if (!isMember && !isFunction) return;
    const names: string[] = [];
    for (let i = 0; i < ancestors.length; i++) {
      const a = ancestors[i];
      if ((a.type === 'ClassDeclaration' || a.type === 'ClassExpression') && isNode(a.id)) names.push((a.id as Node).name as string);
      else if (a.type === 'MethodDefinition' || a.type === 'TSAbstractMethodDefinition' || a.type === 'PropertyDefinition') names.push(ownName(a, ancestors[i - 1], m));
      else if (FUNCTION_TYPES.has(a.type) && !['MethodDefinition', 'TSAbstractMethodDefinition', 'PropertyDefinition'].includes(ancestors[i - 1]?.type ?? ''))
        names.push(ownName(a, ancestors[i - 1], m));
    }
    names.push(ownName(n, parent, m));
    let key = `${m.path}: ${names.join('.')}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if (count > 1) key += ` #${count}`;
    out.push({ key, lines: lineOf(m, n.end - 1) - lineOf(m, n.start) + 1 });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Cycles.

/** One cycle in each strongly connected component of more than one module (or a module importing itself). */
function cycles(edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) connect(v);
  // Within a component, a breadth-first search from its first module back to itself gives a shortest cycle.
  return components.map((component) => {
    const inside = new Set(component);
    const start = [...component].sort()[0];
    const from = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift()!;
      for (const w of edges.get(v) ?? []) {
        if (!inside.has(w)) continue;
        if (w === start) {
          const path = [v];
          while (path[0] !== start) path.unshift(from.get(path[0])!);
          return [...path, start];
        }
        if (!from.has(w)) {
          from.set(w, v);
          queue.push(w);
        }
      }
    }
    return component;
  });
}

// ---------------------------------------------------------------------------------------------------------
// The rules.

describe('tidy', () => {
  it('reads the source tree', () => {
    expect(MODULES.filter((m) => m.path.startsWith('sim/')).length).toBeGreaterThan(10);
    expect(BY_PATH.has('sim/index.ts')).toBe(true);
  });

  it('sim/ imports nothing from viz/, cli/, bench/ or Node built-in modules', () => {
    const builtins = new Set(builtinModules);
    const offenders: string[] = [];
    for (const m of MODULES.filter((x) => x.path.startsWith('sim/'))) {
      for (const i of m.imports) {
        const outside = i.target !== undefined && !i.target.startsWith('sim/');
        const builtin = i.spec.startsWith('node:') || builtins.has(i.spec) || builtins.has(i.spec.split('/')[0]);
        if (outside || builtin) offenders.push(`${m.path}:${i.line} imports '${i.spec}'${outside ? ` (${i.target}, outside sim/)` : ' (a Node built-in module)'}`);
      }
    }
    fail('sim/ is the browser-safe deterministic model', offenders);
  });

  it('sim/ reads no wall clock, timer or Math.random', () => {
    fail('sim/ time comes from the kernel and randomness from seeded streams', MODULES.filter((x) => x.path.startsWith('sim/')).flatMap(wallClockUses));
  });

  it('folders of sim/ import each other only in the directions of SIM_LAYERS', () => {
    const offenders: string[] = [];
    const excepted = new Set<string>();
    for (const m of MODULES.filter((x) => x.path.startsWith('sim/'))) {
      const from = simFolder(m.path)!;
      const rule = SIM_LAYERS[from];
      if (rule === undefined) {
        offenders.push(`${m.path}: folder sim/${from} is not in SIM_LAYERS (add it, with what it may import)`);
        continue;
      }
      for (const i of m.imports) {
        const to = i.target === undefined ? undefined : simFolder(i.target);
        if (to === undefined || to === from || rule.imports === '*' || rule.imports.includes(to)) continue;
        if (i.typeOnly && rule.typeOnly?.includes(to)) continue;
        if (LAYER_EXCEPTIONS.includes(`${m.path} → ${i.target}`)) {
          excepted.add(`${m.path} → ${i.target}`);
          continue;
        }
        const allowed = rule.imports.length === 0 ? 'nothing else in sim/' : rule.imports.join(', ');
        const types = rule.typeOnly?.length ? `; types only from ${rule.typeOnly.join(', ')}` : '';
        offenders.push(`${m.path}:${i.line} imports '${i.spec}'${i.typeOnly ? ' (type-only)' : ''}: sim/${from} may import ${allowed}${types}`);
      }
    }
    for (const e of LAYER_EXCEPTIONS) if (!excepted.has(e)) offenders.push(`${e} is in LAYER_EXCEPTIONS but no longer breaks SIM_LAYERS: remove it`);
    fail('sim/ layering', offenders);
  });

  it('viz/, cli/ and bench/ import sim/ only through sim/index.ts', () => {
    const offenders: string[] = [];
    for (const m of MODULES.filter((x) => !x.path.startsWith('sim/'))) {
      for (const i of m.imports) {
        if (i.target?.startsWith('sim/') && i.target !== 'sim/index.ts') offenders.push(`${m.path}:${i.line} imports '${i.spec}' (${i.target}); import it from sim/index.ts`);
      }
    }
    fail('sim/index.ts is the public entry point', offenders);
  });

  it('has no import cycles (type-only imports included)', () => {
    const edges = new Map<string, string[]>();
    for (const m of MODULES) edges.set(m.path, [...new Set(m.imports.flatMap((i) => (i.target !== undefined && BY_PATH.has(i.target) ? [i.target] : [])))]);
    fail(
      'import cycles',
      cycles(edges).map((c) => c.join(' → ')),
    );
  });

  it(`has no function longer than ${MAX_FUNCTION_LINES} lines, except those in LONG_FUNCTIONS, which only shrink`, () => {
    const functions = MODULES.flatMap(functionsOf);
    if (process.env.UPDATE_TIDY === '1') {
      const long = functions.filter((f) => f.lines > MAX_FUNCTION_LINES);
      console.log(`const LONG_FUNCTIONS: Record<string, number> = {\n${long.map((f) => `  ${f.key.includes("'") ? JSON.stringify(f.key) : `'${f.key}'`}: ${f.lines},`).join('\n')}\n};`);
      return;
    }
    const found = new Map(functions.map((f) => [f.key, f.lines]));
    const offenders: string[] = [];
    for (const f of functions) {
      const allowed = LONG_FUNCTIONS[f.key];
      if (allowed === undefined && f.lines > MAX_FUNCTION_LINES) offenders.push(`${f.key} is ${f.lines} lines long (at most ${MAX_FUNCTION_LINES}; split it)`);
      else if (allowed !== undefined && f.lines > allowed) offenders.push(`${f.key} grew to ${f.lines} lines (listed at ${allowed} in LONG_FUNCTIONS: it may only shrink)`);
      else if (allowed !== undefined && f.lines <= MAX_FUNCTION_LINES) offenders.push(`${f.key} is now ${f.lines} lines: remove it from LONG_FUNCTIONS`);
    }
    for (const key of Object.keys(LONG_FUNCTIONS)) if (!found.has(key)) offenders.push(`${key} is in LONG_FUNCTIONS but not found (renamed, moved or gone? remove or rename the entry)`);
    fail('function length', offenders);
  });

  it('checks itself: sees code, not comments or strings; names functions; finds cycles', () => {
    const m = load(
      'sim/x/fake.ts',
      [
        "import type { A } from '../y/a.js';",
        "import { type B, type C } from './b.js';",
        "export * from '../z/c.js';",
        "let t: import('./d.js').T; // Date.now() in a comment",
        "const s = 'setTimeout(f, 1) and Math.random() in a string';",
        'export class K {',
        '  setTimeout = 1;',
        '  tick(): number {',
        '    return Date.now() + performance.now() + Math.random() + new Date().getTime();',
        '  }',
        '}',
        'export const later = (f: () => void) => setTimeout(f, 0);',
        'queueMicrotask(() => {});',
      ].join('\n'),
    );
    expect(m.imports.map((i) => [i.spec, i.typeOnly, i.line])).toEqual([
      ['../y/a.js', true, 1],
      ['./b.js', true, 2],
      ['../z/c.js', false, 3],
      ['./d.js', true, 4],
    ]);
    expect(wallClockUses(m)).toEqual([
      'sim/x/fake.ts:9 uses Date.now',
      'sim/x/fake.ts:9 uses performance.now',
      'sim/x/fake.ts:9 uses Math.random',
      'sim/x/fake.ts:9 uses new Date',
      'sim/x/fake.ts:12 uses setTimeout',
      'sim/x/fake.ts:13 uses queueMicrotask',
    ]);
    expect(functionsOf(m).map((f) => `${f.key} ${f.lines}`)).toEqual(['sim/x/fake.ts: K.tick 3', 'sim/x/fake.ts: later 1', 'sim/x/fake.ts: queueMicrotask(…) callback 1']);
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(cycles(graph)).toEqual([
      ['a', 'b', 'c', 'a'],
      ['e', 'e'],
    ]);
  });
});
