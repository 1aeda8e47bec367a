/**
 * Day arithmetic on YYYY-MM-DD strings for the demo. Month arithmetic is the validator's own
 * (addMonths and addDays, re-exported): the disclosure bounds a repair states must be computed exactly as
 * rules.ts checks them, clamping included.
 */
import { addDays, addMonths, parseDate } from '../../functions/shared/records/dates.js';

export { addDays, addMonths };

const DAY_MS = 86_400_000;

function toDay(date: string): number {
  if (parseDate(date) === undefined) throw new Error(`not a date YYYY-MM-DD: ${date}`);
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

/** Days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return toDay(to) - toDay(from);
}

export const minDate = (a: string, b: string): string => (a <= b ? a : b);
export const maxDate = (a: string, b: string): string => (a >= b ? a : b);

/** 2026-03-02 → 2026年3月2日, as dates are written in Chinese decisions. */
export function chineseDate(date: string): string {
  return `${Number(date.slice(0, 4))}年${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
}

/** An RFC 3339 time on `date` in Beijing time, `minutes` after midnight. */
export function beijingTime(date: string, minutes: number, seconds = 0): string {
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${date}T${hh}:${mm}:${String(seconds).padStart(2, '0')}+08:00`;
}

export function isDate(value: string): boolean {
  return parseDate(value) !== undefined;
}
