// CronJob schedules: the standard cron syntax Kubernetes accepts (robfig/cron's ParseStandard: five
// fields, or @yearly, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>), and the next
// time a schedule fires in a time zone. cron-parser reads the fields (ranges, steps, lists, names);
// the next time is robfig's SpecSchedule.Next over luxon's time zones, so daylight saving changes go as
// in Kubernetes: a time the clock skips (2:30 when 2:00 becomes 3:00) does not fire that day, and one
// the clock passes twice (1:30 when 2:00 becomes 1:00) fires twice.
import { CronExpressionParser } from 'cron-parser';
import { DateTime, IANAZone } from 'luxon';
import { parseDuration } from './flags';

export interface CronSchedule {
  /** The first time after `after` (epoch ms) that the schedule fires in `timeZone` (default UTC); undefined if none in 5 years. */
  next(after: number, timeZone?: string): number | undefined;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A time zone name Kubernetes would load (an IANA name; `Local` is refused, as the apiserver does). */
export function isValidTimeZone(name: string): boolean {
  return name !== 'Local' && IANAZone.isValidZone(name);
}

/** Parses a schedule; throws an Error worded as robfig/cron's parser for a schedule Kubernetes refuses. */
export function parseCronSchedule(text: string): CronSchedule {
  const spec = text.trim();
  if (spec.startsWith('@every ')) {
    const ms = parseDuration(spec.slice('@every '.length).trim());
    if (!Number.isFinite(ms) || ms <= 0) throw new Error(`failed to parse duration ${spec}`);
    // ConstantDelaySchedule: at least a second, whole seconds, from the time given.
    const delay = Math.max(1000, Math.floor(ms / 1000) * 1000);
    return { next: (after) => Math.floor(after / 1000) * 1000 + delay };
  }
  if (spec.startsWith('@')) {
    const expr = DESCRIPTORS[spec];
    if (!expr) throw new Error(`unrecognized descriptor: ${spec}`);
    return specSchedule(expr);
  }
  const fields = spec.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  for (const f of fields)
    if (/[LW#H]/i.test(f.replace(/[a-z]{3}/gi, (n) => (NAMES.has(n.toLowerCase()) ? '' : n))))
      throw new Error(`failed to parse int from ${f}: strconv.Atoi: parsing "${f}": invalid syntax`);
  return specSchedule(fields.join(' '));
}

const NAMES = new Set([
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
  'sun',
  'mon',
  'tue',
  'wed',
  'thu',
  'fri',
  'sat',
]);

function specSchedule(expr: string): CronSchedule {
  const parsed = CronExpressionParser.parse(expr);
  const f = parsed.fields;
  const set = (values: readonly (number | string)[]) => new Set(values.map(Number));
  const fields = expr.split(' ');
  const s = {
    minute: set(f.minute.values),
    hour: set(f.hour.values),
    dom: set(f.dayOfMonth.values),
    month: set(f.month.values),
    dow: new Set([...set(f.dayOfWeek.values)].map((d) => d % 7)),
    // robfig: a `*` (or `?`) in either day field means both must match; otherwise either may.
    dayStar: /^[*?]/.test(fields[2]) || /^[*?]/.test(fields[4]),
  };
  return { next: (after, timeZone) => nextTime(s, after, timeZone ?? 'UTC') };
}

interface Spec {
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  dayStar: boolean;
}

function dayMatches(s: Spec, t: DateTime): boolean {
  const dom = s.dom.has(t.day);
  const dow = s.dow.has(t.weekday % 7);
  return s.dayStar ? dom && dow : dom || dow;
}

/** robfig/cron v3 SpecSchedule.Next, step for step, in the schedule's zone (seconds are always 0). */
function nextTime(s: Spec, after: number, zone: string): number | undefined {
  let t = DateTime.fromMillis(Math.floor(after / 1000) * 1000 + 1000, { zone });
  let added = false;
  const yearLimit = t.year + 5;
  const at = (y: number, mo: number, d: number, h = 0) => DateTime.fromObject({ year: y, month: mo, day: d, hour: h }, { zone });
  for (;;) {
    if (t.year > yearLimit) return undefined;
    let wrapped = false;
    while (!s.month.has(t.month)) {
      if (!added) {
        added = true;
        t = at(t.year, t.month, 1);
      }
      t = t.plus({ months: 1 });
      if (t.month === 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!dayMatches(s, t)) {
      if (!added) {
        added = true;
        t = at(t.year, t.month, t.day);
      }
      t = t.plus({ days: 1 });
      // Midnight may not exist (or exist twice) on a DST day: come back to it.
      if (t.hour !== 0) t = t.hour > 12 ? t.plus({ hours: 24 - t.hour }) : t.minus({ hours: t.hour });
      if (t.day === 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!s.hour.has(t.hour)) {
      if (!added) {
        added = true;
        t = at(t.year, t.month, t.day, t.hour);
      }
      t = t.plus({ hours: 1 });
      if (t.hour === 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!s.minute.has(t.minute)) {
      if (!added) {
        added = true;
        t = DateTime.fromMillis(Math.floor(t.toMillis() / 60_000) * 60_000, { zone });
      }
      t = t.plus({ minutes: 1 });
      if (t.minute === 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (t.second !== 0) {
      if (!added) {
        added = true;
        t = DateTime.fromMillis(Math.floor(t.toMillis() / 1000) * 1000, { zone });
      }
      t = t.plus({ seconds: 1 });
      if (t.second === 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    return t.toMillis();
  }
}
