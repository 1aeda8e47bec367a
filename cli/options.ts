/** Option parsers shared by the commands (and `npm start`): a bad value is a usage error naming the option. */
import { InvalidArgumentError } from 'commander';
import { DESTINATION_IDS, type DestinationId } from '../infra/topology.js';

export const integer = (name: string, min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
  return n;
};

export const number = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!(n >= min && n <= max)) throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}`);
  return n;
};

export const destination = (value: string): DestinationId => {
  if (!(DESTINATION_IDS as readonly string[]).includes(value)) throw new InvalidArgumentError(`unknown destination ${JSON.stringify(value)}: one of ${DESTINATION_IDS.join(', ')}`);
  return value as DestinationId;
};

/** A date (YYYY-MM-DD, UTC midnight) or an ISO time, as an ISO string. */
export const time = (name: string) => (value: string) => {
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new InvalidArgumentError(`${name} must be a date or time (ISO 8601, e.g. 2026-11-28 or 2026-11-28T08:00:00Z)`);
  return new Date(at).toISOString();
};
