/** A GBK encoder for tests: Node decodes GB18030 but cannot encode it. */

let gbkTable: Map<string, number[]> | undefined;

/**
 * Node decodes GB18030 but has no encoder. Every GBK character is a two-byte sequence (lead
 * 0x81–0xFE, trail 0x40–0xFE except 0x7F), so decoding all of them gives the inverse table.
 * Tests pin it to independently known bytes (哈尔滨 = B9FE B6FB B1F5), so it is not circular.
 */
export function encodeGbk(text: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map();
    const decoder = new TextDecoder('gb18030', { fatal: true });
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        let ch: string;
        try {
          ch = decoder.decode(new Uint8Array([lead, trail]));
        } catch {
          continue; // unassigned in this ICU version
        }
        if (!gbkTable.has(ch)) gbkTable.set(ch, [lead, trail]);
      }
    }
  }
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) {
      bytes.push(code);
      continue;
    }
    const pair = gbkTable.get(ch);
    if (!pair) throw new Error(`no GBK encoding for ${ch} (U+${code.toString(16).toUpperCase()})`);
    bytes.push(...pair);
  }
  return Buffer.from(bytes);
}
