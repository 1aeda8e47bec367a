/**
 * Published test vectors for the primitives behind request signing and field encryption, run
 * through the same helpers the signer uses (`hmac`, `digestHex`) or, for SM4 blocks, Node's cipher.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { digestHex, hmac } from '../../../functions/shared/signing/sign.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const flat = (text: string) => text.replace(/\s+/g, '').toLowerCase();

describe('HMAC-SHA256: RFC 4231 test cases', () => {
  const cases: Array<{ name: string; key: Buffer; data: Buffer; mac: string; truncateTo?: number }> = [
    {
      name: 'test case 1',
      key: Buffer.alloc(20, 0x0b),
      data: Buffer.from('Hi There'),
      mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    },
    {
      name: 'test case 2 (key shorter than the output)',
      key: Buffer.from('Jefe'),
      data: Buffer.from('what do ya want for nothing?'),
      mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    },
    { name: 'test case 3', key: Buffer.alloc(20, 0xaa), data: Buffer.alloc(50, 0xdd), mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe' },
    {
      name: 'test case 4',
      key: hex('0102030405060708090a0b0c0d0e0f10111213141516171819'),
      data: Buffer.alloc(50, 0xcd),
      mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    },
    {
      name: 'test case 5 (truncated to 128 bits)',
      key: Buffer.alloc(20, 0x0c),
      data: Buffer.from('Test With Truncation'),
      mac: 'a3b6167473100ee06e0c796c2955552b',
      truncateTo: 16,
    },
    {
      name: 'test case 6 (key larger than a block)',
      key: Buffer.alloc(131, 0xaa),
      data: Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
      mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    },
    {
      name: 'test case 7 (key and data larger than a block)',
      key: Buffer.alloc(131, 0xaa),
      data: Buffer.from(
        'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
      ),
      mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    },
  ];
  it.each(cases)('$name', ({ key, data, mac, truncateTo }) => {
    const out = hmac('HMAC-SHA256', key, data);
    expect(out.subarray(0, truncateTo ?? out.length).toString('hex')).toBe(mac);
  });

  it('SHA-256 body digest of the empty string (FIPS 180-4)', () => {
    expect(digestHex('HMAC-SHA256', '')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(digestHex('HMAC-SHA256', 'abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('SM3: GB/T 32905-2016 examples', () => {
  it('example 1: "abc"', () => {
    expect(digestHex('HMAC-SM3', 'abc')).toBe(flat('66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0'));
  });

  it('example 2: "abcd" × 16 (one full 64-byte block before padding)', () => {
    expect(digestHex('HMAC-SM3', 'abcd'.repeat(16))).toBe(flat('debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732'));
  });

  it('takes bytes and strings alike (string = UTF-8 bytes)', () => {
    expect(digestHex('HMAC-SM3', Buffer.from('abc'))).toBe(digestHex('HMAC-SM3', 'abc'));
    expect(digestHex('HMAC-SM3', new Uint8Array(Buffer.from('信用', 'utf8')))).toBe(digestHex('HMAC-SM3', '信用'));
  });
});

/** HMAC per RFC 2104 written out from the bare hash, block size 64 bytes (true of SM3 and SHA-256). */
function rfc2104(hash: 'sm3' | 'sha256', key: Buffer, data: Buffer): Buffer {
  const blockSize = 64;
  const shortKey = key.length > blockSize ? createHash(hash).update(key).digest() : key;
  const padded = Buffer.concat([shortKey, Buffer.alloc(blockSize - shortKey.length)]);
  const ipad = Buffer.from(padded.map((b) => b ^ 0x36));
  const opad = Buffer.from(padded.map((b) => b ^ 0x5c));
  const inner = createHash(hash).update(ipad).update(data).digest();
  return createHash(hash).update(opad).update(inner).digest();
}

describe('HMAC-SM3', () => {
  // GM/T 0042-2015 Appendix D.3, as carried in OpenSSL's test/recipes/30-test_evp_data/evpmac_sm3.txt.
  const published = [
    {
      key: hex('0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20'),
      data: Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopqabcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
      mac: 'ca05e144ed05d1857840d1f318a4a8669e559fc8391f414485bfdf7bb408963a',
    },
    {
      key: hex('0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425'),
      data: Buffer.alloc(50, 0xcd),
      mac: '220bf579ded555393f0159f66c99877822a3ecf610d1552154b41d44b94db3ae',
    },
    { key: Buffer.alloc(32, 0x0b), data: Buffer.from('Hi There'), mac: 'c0ba18c68b90c88bc07de794bfc7d2c8d19ec31ed8773bc2b390c9604e0be11e' },
    {
      key: Buffer.from('Jefe Jeferson Jr'),
      data: Buffer.from('what do ya want for nothing?'),
      mac: 'ce791a34c59adef472997a249600f3f244d59e875be04055ba2ae12fc845e78c',
    },
  ];
  it.each(published.map((v, i) => ({ ...v, n: i + 1 })))('GM/T 0042-2015 D.3 vector $n', ({ key, data, mac }) => {
    expect(hmac('HMAC-SM3', key, data).toString('hex')).toBe(mac);
  });

  const keys = [
    Buffer.alloc(0),
    Buffer.from('k'),
    Buffer.alloc(64, 0x5a),
    Buffer.alloc(65, 0xa5),
    Buffer.alloc(200, 0x11),
    Buffer.from('本地测试密钥', 'utf8'),
  ];
  const messages = [Buffer.alloc(0), Buffer.from('abc'), Buffer.from('abcd'.repeat(16)), Buffer.alloc(1000, 0x42)];
  it('agrees with an independent RFC 2104 construction over SM3 for short, block-size and long keys', () => {
    for (const key of keys) for (const data of messages) expect(hmac('HMAC-SM3', key, data).toString('hex')).toBe(rfc2104('sm3', key, data).toString('hex'));
  });

  it('the same construction reproduces HMAC-SHA256 (so the cross-check itself is sound)', () => {
    for (const key of keys) for (const data of messages) expect(hmac('HMAC-SHA256', key, data).equals(rfc2104('sha256', key, data))).toBe(true);
  });

  it('a string secret is its UTF-8 bytes', () => {
    expect(hmac('HMAC-SM3', '本地测试密钥', 'x').equals(hmac('HMAC-SM3', Buffer.from('本地测试密钥', 'utf8'), Buffer.from('x')))).toBe(true);
  });
});

describe('SM4', () => {
  const key = hex('0123456789abcdeffedcba9876543210');

  it('GB/T 32907-2016 example 1: one block, key = plaintext', () => {
    const cipher = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    expect(Buffer.concat([cipher.update(key), cipher.final()]).toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
  });

  it('GB/T 32907-2016 example 2: the same block encrypted 1,000,000 times', () => {
    const cipher = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    let block = Buffer.from(key);
    for (let i = 0; i < 1_000_000; i += 1) block = cipher.update(block);
    expect(block.toString('hex')).toBe('595298c7c6fd271f0402f804c33d3f66');
  });

  it('SM4-CBC (draft-ribose-cfrg-sm4, as in OpenSSL evpciph_sm4.txt): two blocks, IV = key', () => {
    const cipher = createCipheriv('sm4-cbc', key, key).setAutoPadding(false);
    const plain = Buffer.concat([key, key]);
    expect(Buffer.concat([cipher.update(plain), cipher.final()]).toString('hex')).toBe('2677f46b09c122cc975533105bd4a22af6125f7275ce552c3a2bbcf533de8a3b');
  });
});
