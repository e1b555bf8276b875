import {
  base32Decode,
  base32Encode,
  newTotpSecret,
  totpCode,
  totpStepOf,
  totpUri,
} from './totp-codes';

describe('TOTP codes (otplib with Node crypto)', () => {
  // RFC 6238 appendix B: the SHA-1 seed, whose 8-digit code at T=59 is 94287082.
  const rfcSecret = base32Encode(Buffer.from('12345678901234567890'));

  it('base32 follows RFC 4648', () => {
    expect(rfcSecret).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(Buffer.from(base32Decode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq')).toString()).toBe(
      '12345678901234567890',
    );
    expect(base32Encode(Buffer.from('f'))).toBe('MY');
    expect(Buffer.from(base32Decode('MY======')).toString()).toBe('f');
    expect(() => base32Decode('M1')).toThrow();
  });

  it('matches the RFC 6238 test vectors (6 digits)', async () => {
    await expect(totpCode(rfcSecret, 59)).resolves.toBe('287082');
    await expect(totpCode(rfcSecret, 1111111109)).resolves.toBe('081804');
    await expect(totpCode(rfcSecret, 2000000000)).resolves.toBe('279037');
  });

  it('accepts the current and adjacent steps only, and tells which step matched', async () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const now = Math.floor(Date.now() / 1000);
    const step = Math.floor(now / 30);
    const previous = await totpCode(secret, now - 30);
    const next = await totpCode(secret, now + 30);
    const later = await totpCode(secret, now + 90);
    await expect(totpStepOf(secret, await totpCode(secret), 30)).resolves.toBeGreaterThanOrEqual(
      step,
    );
    await expect(totpStepOf(secret, previous, 30)).resolves.toBe(Math.floor((now - 30) / 30));
    await expect(totpStepOf(secret, next, 30)).resolves.toBe(Math.floor((now + 30) / 30));
    if (![previous, next].includes(later) && later !== (await totpCode(secret))) {
      await expect(totpStepOf(secret, later, 30)).resolves.toBeNull();
    }
    await expect(totpStepOf(secret, 'abcdef', 30)).resolves.toBeNull();
  });

  it('builds an otpauth URL for authenticator apps', () => {
    expect(totpUri('SALW Assistance Platform', 'ana@example.org', rfcSecret)).toBe(
      `otpauth://totp/SALW%20Assistance%20Platform:ana%40example.org?secret=${rfcSecret}&issuer=SALW%20Assistance%20Platform`,
    );
  });
});
