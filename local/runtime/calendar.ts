/**
 * The local runtime's calendar: the day the exchange decides publication on. On AWS that is the
 * Beijing date of the clock; locally it is a day the runtime sets and moves on — the demo loads its
 * data "today" and then lives through the next day, so a publication ends (by itself, through the
 * expiry sweep) while you watch, without waiting for midnight.
 */
import { beijingDate, nextDay, parseDate } from '../../functions/shared/records/dates.js';

export interface Calendar {
  /** YYYY-MM-DD */
  today(): string;
}

/** The real calendar: the Beijing date of the clock. */
export const beijingCalendar: Calendar = { today: () => beijingDate(new Date()) };

export class LocalCalendar implements Calendar {
  private day: string;

  constructor(day: string) {
    if (parseDate(day) === undefined) throw new RangeError(`a calendar day is YYYY-MM-DD; got ${day}`);
    this.day = day;
  }

  today(): string {
    return this.day;
  }

  /** Moves on by `days` (default one); returns the new day. */
  advance(days = 1): string {
    for (let i = 0; i < days; i++) this.day = nextDay(this.day);
    return this.day;
  }
}
