// SHA-256 against the FIPS 180-4 / NIST example vectors and against node:crypto on varied inputs.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256.ts';

describe('sha256Hex', () => {
  it('matches the NIST example vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('agrees with node:crypto across padding boundaries and non-ASCII text', () => {
    for (let len = 0; len < 140; len++) {
      const text = Array.from({ length: len }, (_, i) => String.fromCharCode(32 + ((i * 7 + len) % 90))).join('');
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
    const unicode = 'Résumé: ∫₀¹ x² dx = ⅓ — 日本語 🙂';
    expect(sha256Hex(unicode)).toBe(createHash('sha256').update(unicode, 'utf8').digest('hex'));
    const bytes = new Uint8Array([0, 255, 128, 1, 2, 3]);
    expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});
