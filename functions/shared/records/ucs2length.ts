/**
 * String length in Unicode code points, as JSON Schema's minLength/maxLength count it.
 * The generated validators use this instead of ajv's CommonJS runtime helper so that they are
 * plain ES modules; the native regex test keeps the common case (no astral characters) at
 * `str.length` without a loop in JavaScript.
 */
const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

export function ucs2length(str: string): number {
  if (!HIGH_SURROGATE.test(str)) return str.length;
  let length = 0;
  for (let i = 0; i < str.length; i++) {
    length++;
    const code = str.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < str.length && (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
  }
  return length;
}
