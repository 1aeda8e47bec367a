/** Calendar dates as YYYY-MM-DD strings: compared as strings, shifted by calendar months. */

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Digits at [from, from + count) as a number, or -1 when one is not a digit. */
function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** A YYYY-MM-DD string naming a real day, or undefined. (Hot path of validation: no regex, no Date.) */
export function parseDate(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length !== 10 || value[4] !== '-' || value[7] !== '-') return undefined;
  const y = digits(value, 0, 4);
  const m = digits(value, 5, 2);
  const d = digits(value, 8, 2);
  return y >= 0 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) ? value : undefined;
}

/**
 * The date `months` calendar months after `date`. When the day does not exist in the target
 * month it is clamped to the month's last day (2026-01-31 + 1 month = 2026-02-28), the usual
 * reading of "n months from" in Chinese administrative practice.
 */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const ty = Math.floor(total / 12);
  const tm = (total % 12) + 1;
  return `${String(ty).padStart(4, '0')}-${String(tm).padStart(2, '0')}-${String(Math.min(d, daysInMonth(ty, tm))).padStart(2, '0')}`;
}

/**
 * RFC 3339 `date-time` (section 5.6) with its offset required: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±hh:mm)`.
 * The `T` and `Z` may be lower case, as the RFC allows; a leap second (:60) is accepted.
 */
export function isDateTime(value: string): boolean {
  if (value.length < 20 || parseDate(value.slice(0, 10)) === undefined) return false;
  if (value[10] !== 'T' && value[10] !== 't') return false;
  if (value[13] !== ':' || value[16] !== ':') return false;
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  let i = 19;
  if (value[i] === '.') {
    const start = ++i;
    while (i < value.length && digits(value, i, 1) >= 0) i++;
    if (i === start) return false;
  }
  const rest = value.length - i;
  if (rest === 1) return value[i] === 'Z' || value[i] === 'z';
  if (rest !== 6 || (value[i] !== '+' && value[i] !== '-') || value[i + 3] !== ':') return false;
  const offsetHour = digits(value, i + 1, 2);
  const offsetMinute = digits(value, i + 4, 2);
  return offsetHour >= 0 && offsetHour <= 23 && offsetMinute >= 0 && offsetMinute <= 59;
}

/** Beijing time is UTC+8 all year (no daylight saving): the calendar day the platforms count in. */
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The calendar day, YYYY-MM-DD, that `at` falls on in Beijing. */
export function beijingDate(at: Date): string {
  return new Date(at.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The date `days` days after `date` (YYYY-MM-DD; `days` may be negative). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

/** The day after `date` (YYYY-MM-DD). */
export function nextDay(date: string): string {
  return addDays(date, 1);
}
