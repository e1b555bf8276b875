import { createHash } from 'node:crypto';
import {
  newApiKey,
  normaliseRecoveryCode,
  parseApiKey,
  randomRecoveryCode,
  randomToken,
  sameDigest,
  sha256Hex,
} from './token-crypto';

describe('token crypto', () => {
  it('refresh and reset tokens are 32 random bytes, base64url', () => {
    const token = randomToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(randomToken()).not.toBe(token);
  });

  it('stores tokens as their sha256 hex digest only', () => {
    const token = randomToken();
    const digest = sha256Hex(token);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).toBe(createHash('sha256').update(token).digest('hex'));
    expect(sha256Hex(token)).toBe(digest);
    expect(sha256Hex(randomToken())).not.toBe(digest);
  });

  it('compares digests in constant time, refusing different lengths and empties', () => {
    const digest = sha256Hex('a');
    expect(sameDigest(digest, sha256Hex('a'))).toBe(true);
    expect(sameDigest(digest, sha256Hex('b'))).toBe(false);
    expect(sameDigest(digest, digest.slice(0, 62))).toBe(false);
    expect(sameDigest('', '')).toBe(false);
  });

  it('API keys are salw_<12 hex>_<secret> and parse back', () => {
    const { prefix, secret, key } = newApiKey();
    expect(key).toBe(`salw_${prefix}_${secret}`);
    expect(parseApiKey(key)).toEqual({ prefix, secret });
    expect(parseApiKey(`${key}x`)).toBeNull();
    expect(parseApiKey('salw_nothex000000_abc')).toBeNull();
  });

  it('recovery codes are typed back regardless of case, spaces and dashes', () => {
    const code = randomRecoveryCode();
    expect(code).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(normaliseRecoveryCode(` ${code.toUpperCase().replace(/-/g, ' ')} `)).toBe(
      code.replace(/-/g, ''),
    );
  });
});
