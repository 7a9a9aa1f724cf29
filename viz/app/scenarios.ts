/// <reference types="vite/client" />
/** The scenarios bundled with the page. */

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
