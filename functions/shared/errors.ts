/** An error as logs, audit entries and operators see it. */

/** An error's name and message (an AWS error's carry request facts, never record content). */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
