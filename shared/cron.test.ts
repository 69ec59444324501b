import { isValidTimeZone, parseCronSchedule } from './cron';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
/** The next `n` times after `from`. */
function times(spec: string, from: string, n: number, tz?: string): (string | undefined)[] {
  const s = parseCronSchedule(spec);
  const out: (string | undefined)[] = [];
  let t = Date.parse(from);
  for (let i = 0; i < n; i++) {
    const next = s.next(t, tz);
    out.push(iso(next));
    if (next === undefined) break;
    t = next;
  }
  return out;
}

describe('cron schedules (robfig/cron as Kubernetes parses and runs them)', () => {
  it('fires every minute, on minute boundaries, strictly after the time given', () => {
    expect(times('* * * * *', '2026-01-01T10:00:00Z', 2)).toEqual(['2026-01-01T10:01:00.000Z', '2026-01-01T10:02:00.000Z']);
    expect(times('*/15 9-17 * * mon-fri', '2026-01-02T16:50:30Z', 3)).toEqual([
      '2026-01-02T17:00:00.000Z',
      '2026-01-02T17:15:00.000Z',
      '2026-01-02T17:30:00.000Z',
    ]);
  });

  it('reads the descriptors and @every', () => {
    expect(times('@hourly', '2026-01-01T10:20:00Z', 1)).toEqual(['2026-01-01T11:00:00.000Z']);
    expect(times('@weekly', '2026-01-01T10:20:00Z', 1)).toEqual(['2026-01-04T00:00:00.000Z']); // a Sunday
    expect(times('@every 90s', '2026-01-01T10:20:00.500Z', 1)).toEqual(['2026-01-01T10:21:30.000Z']);
  });

  it('matches day of month OR day of week when both are restricted, AND when one is *', () => {
    expect(times('0 0 13 * 5', '2026-02-01T00:00:00Z', 3)).toEqual([
      '2026-02-06T00:00:00.000Z', // a Friday
      '2026-02-13T00:00:00.000Z', // the 13th (also a Friday)
      '2026-02-20T00:00:00.000Z',
    ]);
    expect(times('0 0 * * 5', '2026-02-01T00:00:00Z', 1)).toEqual(['2026-02-06T00:00:00.000Z']);
  });

  it('runs in its time zone', () => {
    expect(times('0 9 * * *', '2026-01-14T23:00:00Z', 1, 'Asia/Tokyo')).toEqual(['2026-01-15T00:00:00.000Z']);
    expect(times('0 9 * * *', '2026-01-15T12:00:00Z', 1, 'America/New_York')).toEqual(['2026-01-15T14:00:00.000Z']);
  });

  it('across a DST change in its time zone: a skipped time does not fire that day, a repeated one fires twice', () => {
    // 2026-03-08 02:00 EST becomes 03:00 EDT: no 02:30 that day.
    expect(times('30 2 * * *', '2026-03-07T12:00:00Z', 2, 'America/New_York')).toEqual([
      '2026-03-09T06:30:00.000Z', // 02:30 EDT on the 9th
      '2026-03-10T06:30:00.000Z',
    ]);
    // Daily at 09:00 keeps 09:00 local: 14:00Z before, 13:00Z after.
    expect(times('0 9 * * *', '2026-03-07T12:00:00Z', 2, 'America/New_York')).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
    ]);
    // 2026-11-01 02:00 EDT becomes 01:00 EST: 01:30 happens twice, and fires twice.
    expect(times('30 1 * * *', '2026-10-31T12:00:00Z', 3, 'America/New_York')).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:30:00.000Z', // 01:30 EST
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it("refuses what robfig's standard parser refuses", () => {
    expect(() => parseCronSchedule('* * *')).toThrow('expected exactly 5 fields, found 3: [* * *]');
    expect(() => parseCronSchedule('0 0 * * * *')).toThrow('expected exactly 5 fields, found 6');
    expect(() => parseCronSchedule('61 * * * *')).toThrow();
    expect(() => parseCronSchedule('0 0 L * *')).toThrow('failed to parse int from L');
    expect(() => parseCronSchedule('@fortnightly')).toThrow('unrecognized descriptor: @fortnightly');
    expect(() => parseCronSchedule('0 0 * jan,jul wed')).not.toThrow();
  });

  it('knows the IANA time zones', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('Local')).toBe(false);
  });
});
