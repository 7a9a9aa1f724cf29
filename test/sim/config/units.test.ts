import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDurationUs, parseBandwidth, parseBytes, parseDurationUs, parseRatePerSec, UnitError } from '../../../sim/config/units.js';

describe('parseDurationUs', () => {
  it.each([
    ['30s', 30_000_000],
    ['250ms', 250_000],
    ['1.5s', 1_500_000],
    ['1.1s', 1_100_000], // exact: not 1100000.0000000002
    ['2m', 120_000_000],
    ['2min', 120_000_000],
    ['500us', 500],
    ['500µs', 500],
    ['1h', 3_600_000_000],
    ['1000ns', 1],
    ['.5ms', 500],
    [' 30 s ', 30_000_000],
    ['0', 0],
    ['250', 250_000], // a bare number means milliseconds
    [250, 250_000],
    [0.5, 500],
  ] as const)('%j → %d µs', (input, us) => {
    expect(parseDurationUs(input)).toBe(us);
  });

  it('says what it expected', () => {
    expect(() => parseDurationUs('ten')).toThrow(new UnitError({ expected: 'a duration such as 30s, 250ms or 500us', got: 'ten' }));
    expect(() => parseDurationUs('ten')).toThrow('expected a duration such as 30s, 250ms or 500us (got "ten")');
  });

  it.each(['-1s', '30S', '1e3ms', '30 seconds', '', 's', '1.5.2s'])('rejects %j', (input) => {
    expect(() => parseDurationUs(input)).toThrow(UnitError);
  });

  it.each([true, null, undefined, -1, Number.NaN, Infinity, {}])('rejects %j', (input) => {
    expect(() => parseDurationUs(input)).toThrow(UnitError);
  });

  it('rejects a fraction of a microsecond rather than rounding it', () => {
    expect(() => parseDurationUs('0.5us')).toThrow('not a whole number of microseconds (got "0.5us"); expected a duration such as 30s, 250ms or 500us');
    expect(() => parseDurationUs('1500ns')).toThrow(UnitError);
  });

  it('rejects values beyond a safe integer', () => {
    expect(() => parseDurationUs('9999999999999h')).toThrow('too large');
  });
});

describe('parseBytes', () => {
  it.each([
    ['1KB', 1000],
    ['1kB', 1000],
    ['16KiB', 16384],
    ['1MB', 1_000_000],
    ['1MiB', 1_048_576],
    ['1GB', 1_000_000_000],
    ['1GiB', 1_073_741_824],
    ['100B', 100],
    ['1.5KB', 1500],
    ['100', 100],
    [100, 100],
  ] as const)('%j → %d bytes', (input, n) => {
    expect(parseBytes(input)).toBe(n);
  });

  it.each(['10b', '1.5B', '1 kilobyte', '-1KB', '1Kib'])('rejects %j', (input) => {
    expect(() => parseBytes(input)).toThrow(UnitError);
  });

  it('says what it expected', () => {
    expect(() => parseBytes('lots')).toThrow('expected a size such as 100B, 16KiB or 1MB (got "lots")');
  });
});

describe('parseRatePerSec', () => {
  it.each([
    ['5000/s', 5000],
    ['100/ms', 100_000],
    ['60/m', 1],
    ['60/min', 1],
    ['3600/h', 1],
    ['1/us', 1_000_000],
    ['5000 / s', 5000],
    ['250', 250],
    [250, 250],
    ['0.5/s', 0.5],
  ] as const)('%j → %d per second', (input, n) => {
    expect(parseRatePerSec(input)).toBeCloseTo(n, 9);
  });

  it.each(['fast', '5000/d', '/s', '-1/s', '5000s'])('rejects %j', (input) => {
    expect(() => parseRatePerSec(input)).toThrow('expected a rate such as 5000/s, 100/ms or 60/m');
  });
});

describe('parseBandwidth', () => {
  it.each([
    ['10Gbit/s', 1.25e9],
    ['1Gbps', 1.25e8],
    ['1Gb/s', 1.25e8],
    ['100Mbit/s', 1.25e7],
    ['8bps', 1],
    ['125MB/s', 1.25e8],
    ['100MiB/s', 104_857_600],
    ['1GB/s', 1e9],
    ['1000', 1000],
    [1000, 1000],
  ] as const)('%j → %d bytes/s', (input, n) => {
    expect(parseBandwidth(input)).toBe(n);
  });

  it.each(['10G', '10 gigabit', '1GBps', '125MB'])('rejects %j', (input) => {
    expect(() => parseBandwidth(input)).toThrow('expected a bandwidth such as 10Gbit/s, 1Gbps, 125MB/s or 100MiB/s');
  });
});

describe('properties (fast-check prints its seed and the shrunk counterexample on failure)', () => {
  const n = fc.integer({ min: 0, max: 1_000_000_000 });

  it('`${n}ms` is n × 1000 µs, `${n}us` is n, `${n}s` is n × 10⁶, a bare n is n ms', () => {
    fc.assert(
      fc.property(n, (k) => {
        expect(parseDurationUs(`${k}ms`)).toBe(k * 1000);
        expect(parseDurationUs(`${k}us`)).toBe(k);
        expect(parseDurationUs(`${k}s`)).toBe(k * 1_000_000);
        expect(parseDurationUs(k)).toBe(k * 1000);
      }),
    );
  });

  it('decimal seconds are exact: `${a}.${ddd}s` = a s + ddd ms', () => {
    fc.assert(
      fc.property(n, fc.integer({ min: 0, max: 999 }), (a, ms) => {
        expect(parseDurationUs(`${a}.${String(ms).padStart(3, '0')}s`)).toBe(a * 1_000_000 + ms * 1000);
      }),
    );
  });

  it('formatDurationUs output parses back to the same value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (us) => {
        expect(parseDurationUs(formatDurationUs(us))).toBe(us);
      }),
    );
  });

  it('`${n}KiB` is n × 1024 bytes and `${n}KB` is n × 1000', () => {
    fc.assert(
      fc.property(n, (k) => {
        expect(parseBytes(`${k}KiB`)).toBe(k * 1024);
        expect(parseBytes(`${k}KB`)).toBe(k * 1000);
      }),
    );
  });

  it('a rate per minute is a sixtieth of the same rate per second', () => {
    fc.assert(
      fc.property(n, (k) => {
        expect(parseRatePerSec(`${k}/m`) * 60).toBeCloseTo(parseRatePerSec(`${k}/s`), 3);
      }),
    );
  });

  it('8 bits make a byte: `${n}Mbit/s` = `${n / 8}MB/s` when n is a multiple of 8', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (k) => {
        expect(parseBandwidth(`${k * 8}Mbit/s`)).toBe(parseBandwidth(`${k}MB/s`));
      }),
    );
  });
});

describe('formatDurationUs', () => {
  it.each([
    [0, '0us'],
    [500, '500us'],
    [250_000, '250ms'],
    [1_500_000, '1.5s'],
    [60_000_000, '60s'],
    [1_234, '1.234ms'],
  ])('%d µs → %s', (us, text) => {
    expect(formatDurationUs(us)).toBe(text);
  });
});
