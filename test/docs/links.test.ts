/**
 * What the README and docs point at exists: every file or folder of the repository they name in backticks
 * or links to, no document outside the repository, no table row stranded outside its table, and every
 * `kafkasim` command documented in the README.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const TOP = /^(sim|cli|viz|test|docs|scenarios|schema|bench|bin)\//;

/** The repository paths a Markdown file names: `code` that starts with a top folder, and relative links. */
function pathsIn(doc: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/`([^`\s]+)`/g)) {
    const p = m[1]!.replace(/[.,:;)]+$/, '');
    // An absolute path to a document or source file is one a reader of the repository cannot open.
    if (p.startsWith('/') && /\.(md|ts|js|ya?ml|json)$/.test(p)) out.push(p);
    else if (TOP.test(p) && !/[<*{]/.test(p)) out.push(p);
  }
  for (const m of text.matchAll(/\]\(([^)#\s]+)\)/g)) {
    const p = m[1]!;
    if (/^[a-z]+:/.test(p)) continue;
    out.push(join(doc.includes('/') ? doc.slice(0, doc.lastIndexOf('/')) : '.', p));
  }
  return out;
}

describe('docs name what exists', () => {
  for (const doc of DOCS) {
    it(`${doc}: every path it names is in the repository`, () => {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      const missing = pathsIn(doc, text).filter((p) => p.startsWith('/') || !existsSync(join(ROOT, p)));
      expect(missing).toEqual([]);
    });

    it(`${doc}: every table row is in a table (after a header and its separator)`, () => {
      const lines = readFileSync(join(ROOT, doc), 'utf8').split('\n');
      let inCode = false;
      const stray: string[] = [];
      lines.forEach((l, i) => {
        if (l.startsWith('```')) inCode = !inCode;
        if (inCode || !l.startsWith('|')) return;
        const prev = lines[i - 1] ?? '';
        const isHeader = (lines[i + 1] ?? '').startsWith('|---') || (lines[i + 1] ?? '').startsWith('| ---');
        if (!prev.startsWith('|') && !isHeader) stray.push(`${i + 1}: ${l.slice(0, 60)}`);
      });
      expect(stray).toEqual([]);
    });
  }

  it('the README documents every kafkasim command', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const main = readFileSync(join(ROOT, 'cli/main.ts'), 'utf8');
    const commands = [...main.matchAll(/\.command\('(\w+)'\)/g)].map((m) => m[1]!);
    expect(commands).toContain('list');
    for (const c of commands) expect(readme, c).toMatch(new RegExp(`kafkasim ${c}\\b`));
    for (const flag of ['--no-expect']) expect(readme).toContain(flag);
  });
});
