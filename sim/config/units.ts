/**
 * Unit parsing for scenario files: durations, sizes, rates and bandwidths written the way people write
 * them (`30s`, `16KiB`, `5000/s`, `10Gbit/s`). Pure and portable: no I/O, no clock, no randomness.
 *
 * Durations and sizes are computed exactly (decimal arithmetic on BigInt), so `1.1s` is 1 100 000 µs, not
 * 1 100 000.0000000002; a value that is not a whole number of the target unit (`0.5us`) is an error
 * rather than silently rounded. Rates and bandwidths are plain floating-point numbers per second.
 */

/** The parts of a one-line problem description; see {@link problemText}. */
export interface ProblemParts {
  /** What is wrong, e.g. `unknown producer config`. Omit when `expected` says it all. */
  problem?: string;
  /** The offending value; shown as `(got …)` when the key is present, even if the value is undefined. */
  got?: unknown;
  /** What would have been accepted, e.g. `a duration such as 30s, 250ms or 500us`. */
  expected?: string;
  /** A trailing hint, e.g. `did you mean "acks"?`. */
  hint?: string;
}

/** Formats a value for a one-line message: strings quoted, objects as compact JSON cut at 60 characters. */
export function formatValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (typeof v === 'bigint') return `${v}`;
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

/**
 * One line: `<problem> (got <value>); expected <what>; <hint>`, or `expected <what> (got <value>)` when
 * there is no separate problem statement.
 */
export function problemText(p: ProblemParts): string {
  const got = 'got' in p ? ` (got ${formatValue(p.got)})` : '';
  const hint = p.hint ? `; ${p.hint}` : '';
  if (p.problem === undefined) return `expected ${p.expected ?? 'something else'}${got}${hint}`;
  const expected = p.expected ? `; expected ${p.expected}` : '';
  return `${p.problem}${got}${expected}${hint}`;
}

/** Thrown by the parsers here. `message` is one line; the parts are kept for callers that re-format. */
export class UnitError extends Error {
  readonly parts: ProblemParts;
  constructor(parts: ProblemParts) {
    super(problemText(parts));
    this.name = 'UnitError';
    this.parts = parts;
  }
}

/** A non-negative decimal: `30`, `1.5`, `.5`. No sign, no exponent, no separators. */
const NUM = String.raw`(\d+(?:\.\d+)?|\.\d+)`;

/** Unit → size in the target unit as the rational mul/div (so `ns` is 1/1000 µs). */
type UnitTable = Record<string, readonly [mul: bigint, div: bigint]>;

function alternation(keys: string[]): string {
  // Longest first: the regex engine backtracks anyway, but it keeps the pattern readable in JSON Schema.
  const esc = (k: string) => k.replace(/[/.]/g, (c) => `\\${c}`);
  return [...keys]
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
    .map(esc)
    .join('|');
}

function unitRegex(units: string[], separator = ''): RegExp {
  const sep = separator ? String.raw`${separator}\s*` : '';
  return new RegExp(String.raw`^\s*${NUM}\s*(?:${sep}(${alternation(units)}))?\s*$`);
}

const DURATION_UNITS_US: UnitTable = {
  ns: [1n, 1000n],
  us: [1n, 1n],
  µs: [1n, 1n], // U+00B5 MICRO SIGN
  μs: [1n, 1n], // U+03BC GREEK SMALL LETTER MU
  ms: [1000n, 1n],
  s: [1_000_000n, 1n],
  sec: [1_000_000n, 1n],
  m: [60_000_000n, 1n],
  min: [60_000_000n, 1n],
  h: [3_600_000_000n, 1n],
};

const SIZE_UNITS: UnitTable = {
  B: [1n, 1n],
  KB: [1000n, 1n],
  kB: [1000n, 1n],
  MB: [1_000_000n, 1n],
  GB: [1_000_000_000n, 1n],
  TB: [1_000_000_000_000n, 1n],
  KiB: [1024n, 1n],
  MiB: [1024n ** 2n, 1n],
  GiB: [1024n ** 3n, 1n],
  TiB: [1024n ** 4n, 1n],
};

/** Rate denominators: how many of them fit in one second. */
const PER_SECOND: Record<string, number> = {
  us: 1e6,
  µs: 1e6,
  μs: 1e6,
  ms: 1e3,
  s: 1,
  sec: 1,
  m: 1 / 60,
  min: 1 / 60,
  h: 1 / 3600,
};

/** Bandwidth units → bytes per second per 1 unit. Lower-case `b` means bits, upper-case `B` bytes. */
const BANDWIDTH_UNITS: Record<string, number> = (() => {
  const t: Record<string, number> = {};
  const bitPrefixes: Record<string, number> = { '': 1, K: 1e3, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  for (const [p, f] of Object.entries(bitPrefixes)) {
    t[`${p}bit/s`] = f / 8;
    t[`${p}b/s`] = f / 8;
    t[`${p}bps`] = f / 8;
  }
  for (const [u, [mul]] of Object.entries(SIZE_UNITS)) t[`${u}/s`] = Number(mul);
  return t;
})();

/** What each parser accepts, for messages and schema descriptions. */
export const DURATION_EXPECTED = 'a duration such as 30s, 250ms or 500us';
export const SIZE_EXPECTED = 'a size such as 100B, 16KiB or 1MB';
export const RATE_EXPECTED = 'a rate such as 5000/s, 100/ms or 60/m';
export const BANDWIDTH_EXPECTED = 'a bandwidth such as 10Gbit/s, 1Gbps, 125MB/s or 100MiB/s';

/** `30s`, `250ms`, `1.5s`, `2m`, `500us`, `1h`, `100ns`, or a bare number (milliseconds). */
export const DURATION_PATTERN = unitRegex(Object.keys(DURATION_UNITS_US));
/** `100B`, `1KB` (1000), `16KiB` (1024), `1MB`, `1MiB`, `1GB`, or a bare number (bytes). */
export const SIZE_PATTERN = unitRegex(Object.keys(SIZE_UNITS));
/** `5000/s`, `100/ms`, `60/m`, `3600/h`, or a bare number (per second). */
export const RATE_PATTERN = unitRegex(Object.keys(PER_SECOND), '/');
/** `10Gbit/s`, `1Gbps`, `125MB/s`, `100MiB/s`, or a bare number (bytes per second). */
export const BANDWIDTH_PATTERN = unitRegex(Object.keys(BANDWIDTH_UNITS));

/** Splits a string or number into [decimal text, unit or undefined]; throws UnitError when it does not fit. */
function split(v: unknown, re: RegExp, expected: string): [string, string | undefined] {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new UnitError({ expected, got: v });
    v = String(v); // shortest round-trip form; exponents (1e21, 1e-7) then fail the pattern below
  }
  if (typeof v !== 'string') throw new UnitError({ expected, got: v });
  const m = re.exec(v);
  if (!m) throw new UnitError({ expected, got: v });
  return [m[1]!, m[2]];
}

/** Exact `decimal * mul / div`, or an error when the result is not a whole number or not a safe integer. */
function exact(num: string, [mul, div]: readonly [bigint, bigint], what: string, got: unknown, expected: string): number {
  const [int, frac = ''] = num.split('.');
  const mant = BigInt(`${int || '0'}${frac}`) * mul;
  const den = 10n ** BigInt(frac.length) * div;
  if (mant % den !== 0n) throw new UnitError({ problem: `not a whole number of ${what}`, got, expected });
  const r = mant / den;
  if (r > BigInt(Number.MAX_SAFE_INTEGER)) throw new UnitError({ problem: 'too large', got, expected });
  return Number(r);
}

/**
 * Parses a duration into integer microseconds.
 * Units: `ns`, `us` (`µs`), `ms`, `s` (`sec`), `m` (`min`), `h`. A bare number, or a number without a unit
 * in a string, means **milliseconds** (Kafka's convention for `*.ms` settings): `250` is 250 000 µs.
 * @throws UnitError when the value is not a non-negative duration, or not a whole number of µs.
 */
export function parseDurationUs(v: unknown): number {
  const [num, unit = 'ms'] = split(v, DURATION_PATTERN, DURATION_EXPECTED);
  return exact(num, DURATION_UNITS_US[unit]!, 'microseconds', v, DURATION_EXPECTED);
}

/**
 * Parses a size into integer bytes. `KB`/`MB`/`GB`/`TB` are powers of 1000; `KiB`/`MiB`/`GiB`/`TiB` powers of
 * 1024. A bare number means bytes. Units are case-sensitive (`b` is not bytes).
 * @throws UnitError when the value is not a non-negative size or not a whole number of bytes.
 */
export function parseBytes(v: unknown): number {
  const [num, unit = 'B'] = split(v, SIZE_PATTERN, SIZE_EXPECTED);
  return exact(num, SIZE_UNITS[unit]!, 'bytes', v, SIZE_EXPECTED);
}

/**
 * Parses an event rate into events per second (a float: `1/m` is 0.01666…/s).
 * Denominators: `us`, `ms`, `s`, `m` (`min`), `h`. A bare number means per second.
 * @throws UnitError when the value is not a non-negative rate.
 */
export function parseRatePerSec(v: unknown): number {
  const [num, unit = 's'] = split(v, RATE_PATTERN, RATE_EXPECTED);
  return Number(num) * PER_SECOND[unit]!;
}

/**
 * Parses a bandwidth into bytes per second (a float). Bits: `bit/s`, `b/s`, `bps` with prefixes `K`/`k`, `M`,
 * `G`, `T` (powers of 1000), e.g. `10Gbit/s` = 1.25e9 B/s. Bytes: `B/s`, `KB/s`, `MB/s`, `GB/s`, `KiB/s`,
 * `MiB/s`, `GiB/s`. A bare number means bytes per second.
 * @throws UnitError when the value is not a non-negative bandwidth.
 */
export function parseBandwidth(v: unknown): number {
  const [num, unit = 'B/s'] = split(v, BANDWIDTH_PATTERN, BANDWIDTH_EXPECTED);
  return Number(num) * BANDWIDTH_UNITS[unit]!;
}

/**
 * Formats integer microseconds compactly for messages and fault texts: `60s`, `1.5s`, `250ms`, `500us`.
 * The output parses back to the same value with {@link parseDurationUs}.
 */
export function formatDurationUs(us: number): string {
  if (us >= 1_000_000) return `${decimalShift(us, 6)}s`;
  if (us >= 1000) return `${decimalShift(us, 3)}ms`;
  return `${us}us`;
}

/** `n / 10^places` written exactly in decimal (no floating-point noise). */
function decimalShift(n: number, places: number): string {
  const s = String(n).padStart(places + 1, '0');
  const int = s.slice(0, -places);
  const frac = s.slice(-places).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}
