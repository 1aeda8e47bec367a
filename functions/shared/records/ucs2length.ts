/**
 * String length in Unicode code points, as JSON Schema's minLength/maxLength count it.
 * The generated validators use this instead of ajv's CommonJS runtime helper so that they are
 * plain ES modules (same behaviour as ajv/dist/runtime/ucs2length).
 */
export function ucs2length(str: string): number {
  let length = 0;
  for (let i = 0; i < str.length; i++) {
    length++;
    const code = str.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < str.length) {
      const next = str.charCodeAt(i + 1);
      if ((next & 0xfc00) === 0xdc00) i++; // low surrogate: one code point
    }
  }
  return length;
}
