/**
 * Text every destination can carry. A record may hold any Unicode scalar value — supplementary-plane
 * CJK (𠮷, 𠀀: real personal and company names) included — except:
 * - a lone surrogate (U+D800–U+DFFF unpaired: not a character; `"\udfff"` in JSON parses to one);
 * - a noncharacter (U+FDD0–U+FDEF and the last two code points of every plane, U+FFFE, U+FFFF,
 *   U+1FFFE … U+10FFFF: reserved for a program's internal use, never for interchange);
 * - a control character other than tab, line feed and carriage return (C0, DEL, C1).
 * SQS itself refuses the C0 controls, the surrogates and U+FFFE/U+FFFF in a message body
 * (`InvalidMessageContents`); the platforms' GB 18030 and XML paths refuse the rest. Refusing them
 * here gives the upstream a 4xx with the path, instead of a message that fails the same way on
 * every retry.
 */
import { pointerToken } from './duplicate-keys.js';
import type { ValidationIssue } from './validate.js';

const SUPPLEMENTARY_NONCHARACTERS = Array.from({ length: 16 }, (_, i) => {
  const plane = (i + 1).toString(16).toUpperCase();
  return `\\u{${plane}FFFE}\\u{${plane}FFFF}`;
}).join('');

/** With the `u` flag, a surrogate range matches only an unpaired surrogate (a pair is one code point). */
const UNSUPPORTED = new RegExp(
  `[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF\\uFDD0-\\uFDEF\\uFFFE\\uFFFF${SUPPLEMENTARY_NONCHARACTERS}]`,
  'u',
);

const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

function kindOf(codePoint: number): string {
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 'a lone surrogate (half of a pair, not a character)';
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) return 'a control character (only tab, line feed and carriage return are allowed)';
  return 'a noncharacter';
}

/** What is wrong with `text`, or undefined when every character can be carried. */
export function unsupportedCharacter(text: string): string | undefined {
  const match = UNSUPPORTED.exec(text);
  if (!match) return undefined;
  const codePoint = match[0].codePointAt(0)!;
  // position in characters (code points), as a person counts them
  const position = [...text.slice(0, match.index)].length + 1;
  return `${hex(codePoint)}, ${kindOf(codePoint)}, at character ${position}: no destination platform accepts it`;
}

/** Every string value and property name of `value` holding a character no destination accepts (rule `text`). */
export function unsupportedText(value: unknown, path = ''): ValidationIssue[] {
  if (typeof value === 'string') {
    const problem = unsupportedCharacter(value);
    return problem ? [{ path, rule: 'text', message: problem }] : [];
  }
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => unsupportedText(item, `${path}/${i}`));
  return Object.entries(value).flatMap(([key, item]) => {
    const problem = unsupportedCharacter(key);
    const own = problem ? [{ path: `${path}/${pointerToken(key)}`, rule: 'text', message: `the property name holds ${problem}` }] : [];
    return [...own, ...unsupportedText(item, `${path}/${pointerToken(key)}`)];
  });
}
