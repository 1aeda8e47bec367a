/**
 * The part of a Powertools Logger the functions use: structured messages with extra keys. The
 * logic takes this, so a test can pass a silent or capturing logger and Lambda passes Powertools.
 */
export interface StructuredLogger {
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}
