/**
 * The package as another project sees it: `npm pack` this repository, install the tarball in a scratch
 * project outside it, type-check an import of 'kafkasim' and run the example of docs/api.md exactly as
 * written. Its printed figures are checked against the same run made here.
 *
 * Needs `npm run build:cli` first (npm test does it). Installing uses npm's cache (--prefer-offline).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, simulate, partitionForKey, ArraySink, createSimulation } from '../sim/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const API_DOC = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');

/** The first fenced block of the given language in docs/api.md. */
function block(lang: string): string {
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(API_DOC);
  if (!m) throw new Error(`docs/api.md has no \`\`\`${lang} block`);
  return m[1]!;
}

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
}

describe('kafkasim installed in another project', () => {
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kafkasim-consumer-'));
    const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT)) as Array<{ filename: string }>;
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type: 'module' }));
    run('npm', ['install', '--prefer-offline', '--no-package-lock', join(dir, packed[0]!.filename)], dir);
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('type-checks an import of kafkasim through package.json exports', () => {
    writeFileSync(
      join(dir, 'check.ts'),
      [
        "import { parseScenario, simulate, createSimulation, partitionForKey, CHECK_NAMES, type RunSummary, type TraceEvent } from 'kafkasim';",
        "const s = parseScenario('name: x\\nduration: 1s\\ncluster: { brokers: 1 }\\n');",
        'const r: RunSummary = simulate(s);',
        "const e: TraceEvent['type'] = 'append';",
        'const p: number = partitionForKey(r.traceHash, CHECK_NAMES.length);',
        'createSimulation(s).run();',
        'export { e, p };',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['check.ts'] }),
    );
    const tsc = join(ROOT, 'node_modules/.bin/tsc');
    expect(() => run(tsc, ['-p', 'tsconfig.json'], dir)).not.toThrow();
  }, 120_000);

  it('runs the example of docs/api.md as written, and prints what the same run gives here', () => {
    writeFileSync(join(dir, 'example.mjs'), block('js'));
    const out = run('node', ['example.mjs'], dir).trim().split('\n');

    const scenario = parseScenario(/parseScenario\(`([\s\S]*?)`/.exec(block('js'))![1]!, 'example.yaml');
    const summary = simulate(scenario, { seed: 7 });
    const sink = new ArraySink();
    createSimulation(scenario, { seed: 7, sinks: [sink] }).runUntil(25_000_000);
    const expected = block('text')
      .trim()
      .split('\n')
      .map((l) =>
        l
          .replace('<hash>', summary.traceHash)
          .replace('<acked>', String(summary.records.acked))
          .replace('<n>', String(sink.events.length))
          .replace('<p>', String(partitionForKey('order-42', 3))),
      );
    expect(out).toEqual(expected);
    expect(summary.records.lostAcked).toBe(0);
    expect(summary.elections.length).toBe(1);
  }, 180_000);
});
