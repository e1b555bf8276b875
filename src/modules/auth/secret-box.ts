import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const SALT = 'salw-secret-box';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Authenticated encryption (AES-256-GCM) of small secrets at rest, with a key derived from the
 * application secret by HKDF-SHA256 for one purpose. `context` (e.g. the owner's id) is bound
 * as additional data, so a sealed value cannot be moved to another row. Output:
 * `v1.<base64url(iv | tag | ciphertext)>`. Rotating JWT_SECRET makes sealed values unreadable.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(masterSecret: string, purpose: string) {
    this.key = Buffer.from(hkdfSync('sha256', masterSecret, SALT, `salw:${purpose}`, 32));
  }

  seal(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
  }

  /** Throws when the value was altered, sealed with another key, or for another context. */
  open(sealed: string, context = ''): string {
    const [version, body] = sealed.split('.');
    const raw = Buffer.from(body ?? '', 'base64url');
    if (version !== VERSION || raw.length < IV_BYTES + TAG_BYTES) {
      throw new Error('SecretBox: malformed sealed value');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error('SecretBox: the sealed value was altered or sealed with another key');
    }
  }
}
