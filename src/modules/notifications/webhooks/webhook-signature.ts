import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Header names a receiver relies on (docs/NOTIFICATIONS.md). */
export const SIGNATURE_HEADER = 'X-Salw-Signature';
export const DELIVERY_HEADER = 'X-Salw-Delivery';
export const EVENT_HEADER = 'X-Salw-Event';

/** A new signing secret: `whsec_` and 32 random bytes, base64url. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** HMAC-SHA256 (hex) of `<timestamp>.<body>` with the endpoint's secret. */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The `X-Salw-Signature` value: `t=<unix seconds>,v1=<hex>`. */
export function signatureHeader(secret: string, body: string, now = Date.now()): string {
  const t = Math.floor(now / 1000);
  return `t=${t},v1=${signatureOf(secret, t, body)}`;
}

/**
 * What a receiver does (the snippet in docs/NOTIFICATIONS.md is the same code): recompute the
 * HMAC over the timestamp and the raw body, compare in constant time, and refuse a timestamp
 * older (or newer) than `toleranceSec` so a captured request cannot be replayed later.
 */
export function verifySignature(
  secret: string,
  rawBody: string,
  header: string | undefined,
  { toleranceSec = 300, now = Date.now() }: { toleranceSec?: number; now?: number } = {},
): boolean {
  if (!header) return false;
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const [key, value] = item.split('=', 2).map((s) => s.trim());
    if (key && value) parts.set(key, [...(parts.get(key) ?? []), value]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > toleranceSec) return false;
  const expected = Buffer.from(signatureOf(secret, t, rawBody), 'hex');
  return (parts.get('v1') ?? []).some((candidate) => {
    const given = Buffer.from(candidate, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
