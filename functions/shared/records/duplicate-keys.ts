/**
 * Duplicate property names in JSON text. JSON.parse keeps the last of `{"source": "a", "source": "b"}`
 * while other parsers keep the first: a record whose meaning depends on the reader is refused.
 */
import { visit } from 'jsonc-parser';

/** A JSON pointer's reference token for a property name (RFC 6901: `~` → `~0`, `/` → `~1`). */
export const pointerToken = (key: string | number): string => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

const pointer = (path: ReadonlyArray<string | number>) => path.map((k) => `/${pointerToken(k)}`).join('');

/** How many property names valid JSON text holds: its strings followed by a colon. */
function propertyTokens(text: string): number {
  let count = 0;
  let i = text.indexOf('"');
  while (i >= 0) {
    // the closing quote: the next one not escaped (preceded by an even run of backslashes)
    let end = text.indexOf('"', i + 1);
    for (;;) {
      let b = end - 1;
      while (text.charCodeAt(b) === 0x5c) b--;
      if ((end - 1 - b) % 2 === 0) break;
      end = text.indexOf('"', end + 1);
    }
    let j = end + 1;
    let c = text.charCodeAt(j);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++j);
    if (c === 0x3a) count++;
    i = text.indexOf('"', j);
  }
  return count;
}

function propertiesOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += propertiesOf(item);
    return count;
  }
  for (const key of Object.keys(value)) count += 1 + propertiesOf((value as Record<string, unknown>)[key]);
  return count;
}

/**
 * The JSON pointer of every repeated property (its second and later occurrences), in text order.
 * `parsed`, JSON.parse of the same text, allows a quick answer: when it holds as many properties as
 * the text names, none repeats, and the text is not walked again.
 */
export function duplicateKeys(text: string, parsed?: unknown): string[] {
  if (parsed !== undefined && propertiesOf(parsed) === propertyTokens(text)) return [];
  const found: string[] = [];
  const open: Array<Set<string>> = [];
  visit(
    text,
    {
      onObjectBegin: () => void open.push(new Set()),
      onObjectEnd: () => void open.pop(),
      onObjectProperty: (property, _offset, _length, _line, _character, pathSupplier) => {
        const keys = open[open.length - 1]!;
        if (keys.has(property)) found.push(pointer([...pathSupplier(), property]));
        else keys.add(property);
      },
    },
    { disallowComments: true },
  );
  return found;
}
