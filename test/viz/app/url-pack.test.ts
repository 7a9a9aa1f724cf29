/** The scenario-in-a-link encoding (viz/url-pack.ts). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packText, PackError, unpackText } from '../../../viz/app/url-pack.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('url-pack', () => {
  it('round-trips a scenario into a short URL-safe string', async () => {
    const text = readFileSync(`${ROOT}/scenarios/killed-leader.yaml`, 'utf8');
    const packed = await packText(text);
    expect(packed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(packed.length).toBeLessThan(text.length);
    expect(await unpackText(packed)).toBe(text);
  });

  it('round-trips any text (fast-check; the seed is printed on failure)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 400 }), async (s) => {
        expect(await unpackText(await packText(s))).toBe(s);
      }),
      { numRuns: 200 },
    );
  });

  it('a damaged link is a PackError with a clear message', async () => {
    await expect(unpackText('not base64!')).rejects.toThrow(PackError);
    await expect(unpackText('AAAAAAAA')).rejects.toThrow(/the scenario in this link is damaged/);
    const packed = await packText('name: x\n'.repeat(50));
    await expect(unpackText(packed.slice(0, packed.length / 2))).rejects.toThrow(PackError);
  });
});
