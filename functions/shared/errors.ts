/**
 * The exchange's errors: one base class, so a caller can tell the exchange's own failures from a
 * library's, and `cause` (ES2022) to keep what an error was raised from. Each subclass names itself
 * with a string (bundles are minified: constructor names are not kept).
 */

export class ExchangeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A function's environment (or a runtime's options) is missing or wrong: the message names the variable and what it must be. */
export class ConfigurationError extends ExchangeError {
  override name = 'ConfigurationError';
}

/** An error's name and message (an AWS error's carry request facts, never record content). */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
