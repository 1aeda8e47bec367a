/**
 * Decimal places of a JSON number, counted on its decimal text — never by binary floating-point
 * arithmetic (`multipleOf: 0.000001` rejects about a third of ordinary two-decimal amounts, since
 * 8.39 / 0.000001 is not an integer in binary). The text is the shortest decimal that denotes the
 * number (what JavaScript's Number → string gives, and what any JSON text of up to 15 significant
 * digits parses back to), so an amount of up to 10^7 in 10,000 yuan to the fen is counted exactly.
 * The generated validators import this function (the schemas' `x-maxDecimals` keyword).
 */
export function decimalPlaces(value: number): number {
  if (!Number.isFinite(value)) return Number.POSITIVE_INFINITY;
  const text = String(Math.abs(value));
  const e = text.indexOf('e');
  const mantissa = e < 0 ? text : text.slice(0, e);
  const exponent = e < 0 ? 0 : Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const fraction = dot < 0 ? 0 : mantissa.length - dot - 1;
  return Math.max(0, fraction - exponent);
}

/** The number written out in plain decimal notation (1e-7 → "0.0000001"), for messages. */
export function plainDecimal(value: number): string {
  const places = decimalPlaces(value);
  return Number.isFinite(places) && places <= 100 ? value.toFixed(places) : String(value);
}
