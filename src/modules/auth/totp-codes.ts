import { createBase32Plugin, createCryptoPlugin, generateSecret } from '@otplib/core';
import { generate, verify } from '@otplib/totp';
import { generateTOTP } from '@otplib/uri';
import { createHmac, randomBytes } from 'node:crypto';

/*
 * otplib's building blocks (the packages its `otplib` entry point re-exports) with Node's crypto
 * and a local RFC 4648 base32. The `otplib` entry point itself loads @scure/base, an ES module
 * that Jest on Node 20 cannot require, which would keep every test from booting the app.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(data: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Case, spaces and padding are ignored; any other character is refused. */
export function base32Decode(text: string): Uint8Array {
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) throw new Error('Invalid base32 character');
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

const crypto = createCryptoPlugin({
  name: 'node',
  hmac: (algorithm, key, data) => new Uint8Array(createHmac(algorithm, key).update(data).digest()),
  randomBytes: (length) => new Uint8Array(randomBytes(length)),
});
const base32 = createBase32Plugin({ name: 'rfc4648', encode: base32Encode, decode: base32Decode });

/** A new base32 secret of 20 random bytes (160 bits, as RFC 4226 recommends). */
export function newTotpSecret(): string {
  return generateSecret({ crypto, base32, length: 20 });
}

/** The six-digit code (SHA-1, 30 s) for a time, now by default. */
export function totpCode(secret: string, epochSeconds?: number): Promise<string> {
  return generate({
    secret,
    crypto,
    base32,
    ...(epochSeconds === undefined ? {} : { epoch: epochSeconds }),
  });
}

/** The time step a code belongs to when it is valid within ±toleranceSeconds of now, else null. */
export async function totpStepOf(
  secret: string,
  token: string,
  toleranceSeconds: number,
): Promise<number | null> {
  try {
    const result = await verify({
      secret,
      token,
      crypto,
      base32,
      epochTolerance: toleranceSeconds,
    });
    return result.valid ? result.timeStep : null;
  } catch {
    return null;
  }
}

export function totpUri(issuer: string, label: string, secret: string): string {
  return generateTOTP({ issuer, label, secret });
}
