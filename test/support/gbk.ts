/** A GB18030 encoder for tests (GBK's two-byte part and the supplementary planes): Node decodes GB18030 but cannot encode it. */

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
    if (code >= 0x10000) {
      bytes.push(...fourByteSupplementary(code));
      continue;
    }
    const pair = gbkTable.get(ch);
    if (!pair) throw new Error(`no GBK encoding for ${ch} (U+${code.toString(16).toUpperCase()})`);
    bytes.push(...pair);
  }
  return Buffer.from(bytes);
}

/**
 * GB18030 maps U+10000–U+10FFFF to four bytes by arithmetic (GB 18030-2005 §6.3.3): the linear
 * index from 0x90 0x30 0x81 0x30, in a base of 10·126·10. Pinned in the tests to known bytes
 * (𠀀 U+20000 = 95 32 82 36).
 */
export function fourByteSupplementary(codePoint: number): number[] {
  let index = codePoint - 0x10000;
  const b4 = 0x30 + (index % 10);
  index = Math.floor(index / 10);
  const b3 = 0x81 + (index % 126);
  index = Math.floor(index / 126);
  const b2 = 0x30 + (index % 10);
  const b1 = 0x90 + Math.floor(index / 10);
  return [b1, b2, b3, b4];
}
