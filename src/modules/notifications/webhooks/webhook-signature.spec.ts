import { createHmac } from 'node:crypto';
import {
  newSigningSecret,
  signatureHeader,
  signatureOf,
  verifySignature,
} from './webhook-signature';

describe('webhook signature (HMAC-SHA256 over "<t>.<body>")', () => {
  const secret = newSigningSecret();
  const body = JSON.stringify({ id: 'd1', type: 'match.proposed', data: { note: 'ça' } });
  const now = 1_760_000_000_000;

  it('is the hex HMAC of the timestamp and the raw body, in t=…,v1=…', () => {
    const header = signatureHeader(secret, body, now);
    const t = Math.floor(now / 1000);
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${expected}`);
    expect(signatureOf(secret, t, body)).toBe(expected);
  });

  it('verifies the genuine request and refuses any change', () => {
    const header = signatureHeader(secret, body, now);
    expect(verifySignature(secret, body, header, { now })).toBe(true);
    expect(verifySignature(secret, body.replace('ça', 'ca'), header, { now })).toBe(false);
    expect(verifySignature(newSigningSecret(), body, header, { now })).toBe(false);
    const otherTime = header.replace(/^t=(\d+)/, (_, t: string) => `t=${Number(t) + 1}`);
    expect(verifySignature(secret, body, otherTime, { now })).toBe(false);
    expect(verifySignature(secret, body, undefined, { now })).toBe(false);
    expect(verifySignature(secret, body, 'garbage', { now })).toBe(false);
    expect(verifySignature(secret, body, `t=${now / 1000},v1=zz`, { now })).toBe(false);
  });

  it('refuses a replay outside the tolerance, either way', () => {
    const header = signatureHeader(secret, body, now);
    expect(verifySignature(secret, body, header, { now: now + 299_000 })).toBe(true);
    expect(verifySignature(secret, body, header, { now: now + 301_000 })).toBe(false);
    expect(verifySignature(secret, body, header, { now: now - 301_000 })).toBe(false);
    expect(verifySignature(secret, body, header, { now: now + 301_000, toleranceSec: 600 })).toBe(
      true,
    );
  });

  it('accepts any of several v1 signatures (secret rotation)', () => {
    const t = Math.floor(now / 1000);
    const header = `t=${t},v1=${signatureOf('old-secret', t, body)},v1=${signatureOf(secret, t, body)}`;
    expect(verifySignature(secret, body, header, { now })).toBe(true);
  });

  it('makes secrets that differ and carry 256 bits', () => {
    const a = newSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(newSigningSecret());
  });
});
