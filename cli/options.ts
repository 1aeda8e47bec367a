/** Option parsers shared by the commands (and `npm start`): a bad value is a usage error naming the option. */
import { InvalidArgumentError } from 'commander';
import { isDateTime, parseDate } from '../functions/shared/records/dates.js';
import { DESTINATION_IDS, type DestinationId } from '../topology/topology.js';

/** A whole number from `min` (to `max`); commander reports the message as a usage error. */
export const integer =
  (name: string, min: number, max = Number.POSITIVE_INFINITY) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(
        `${name}: expected a whole number ${Number.isFinite(max) ? `from ${min} to ${max}` : `≥ ${min}`}; found ${JSON.stringify(value)}`,
      );
    }
    return n;
  };

export const number = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!(n >= min && n <= max)) throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}`);
  return n;
};

export const destination = (value: string): DestinationId => {
  if (!(DESTINATION_IDS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`unknown destination ${JSON.stringify(value)}: one of ${DESTINATION_IDS.join(', ')}`);
  return value as DestinationId;
};

/** A day (its UTC midnight) or an ISO time with its zone, as the UTC ISO time keys sort by; undefined otherwise. */
export function parseInstant(value: string): string | undefined {
  if (parseDate(value) !== undefined) return `${value}T00:00:00.000Z`;
  if (isDateTime(value)) return new Date(value).toISOString();
  return undefined;
}

export const INSTANT_FORMS = 'a day YYYY-MM-DD (UTC) or an ISO time with its zone (2026-05-01T08:00:00+08:00)';

/** `--since`-like options: strict (no 2026-02-30, no zone-less local times). */
export const time = (name: string) => (value: string) => {
  const at = parseInstant(value);
  if (at === undefined) throw new InvalidArgumentError(`${name}: expected ${INSTANT_FORMS}; found ${JSON.stringify(value)}`);
  return at;
};

/** A calendar day YYYY-MM-DD (a real one: no 2026-02-30). */
export const day = (name: string) => (value: string) => {
  if (parseDate(value) === undefined) throw new InvalidArgumentError(`${name}: expected a day YYYY-MM-DD; found ${JSON.stringify(value)}`);
  return value;
};

/** A calendar month YYYY-MM. */
export const month = (name: string) => (value: string) => {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new InvalidArgumentError(`${name}: expected a month YYYY-MM; found ${JSON.stringify(value)}`);
  return value;
};
