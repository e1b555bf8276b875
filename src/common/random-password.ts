import { randomBytes } from 'node:crypto';

/** A random, strong password (120 bits), for accounts whose password is shown once. */
export function randomPassword(): string {
  return randomBytes(15).toString('base64url');
}
