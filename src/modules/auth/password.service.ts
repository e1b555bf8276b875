import { Injectable } from '@nestjs/common';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { AppException } from '../../common/errors';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;
/** zxcvbn score 3: "safely unguessable: moderate protection from offline slow-hash scenario". */
export const PASSWORD_MIN_SCORE = 3;

/** argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). */
const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

let zxcvbn: ZxcvbnFactory | undefined;
function estimator(): ZxcvbnFactory {
  // Building the dictionaries takes a moment: once per process, on first use.
  zxcvbn ??= new ZxcvbnFactory({
    translations: zxcvbnEn.translations,
    graphs: zxcvbnCommon.adjacencyGraphs,
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
  });
  return zxcvbn;
}

/** The user's own e-mail, name and their parts, which a password must not lean on. */
function expandUserInputs(inputs: (string | null | undefined)[]): string[] {
  const out = new Set<string>();
  for (const input of inputs) {
    if (!input) continue;
    const value = input.trim().toLowerCase();
    if (!value) continue;
    out.add(value);
    for (const part of value.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) out.add(part);
  }
  return [...out];
}

/** Hashing, verification and the strength rule for every password on the platform. */
@Injectable()
export class PasswordService {
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  /** False for a wrong password and for a malformed or foreign hash (never throws). */
  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /** Spends the time of a real verification, for an account that does not exist. Always false. */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomBytes(24).toString('base64url'));
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** Why a password is refused (empty when it is acceptable). */
  problems(password: string, userInputs: (string | null | undefined)[] = []): string[] {
    if (password.length < PASSWORD_MIN_LENGTH) {
      return [`Password must be at least ${PASSWORD_MIN_LENGTH} characters long`];
    }
    if (password.length > PASSWORD_MAX_LENGTH) {
      return [`Password must be at most ${PASSWORD_MAX_LENGTH} characters long`];
    }
    const result = estimator().check(password, expandUserInputs(userInputs));
    if (result.score >= PASSWORD_MIN_SCORE) return [];
    return [
      'Password is too easy to guess',
      ...(result.feedback.warning ? [result.feedback.warning] : []),
      ...result.feedback.suggestions,
    ];
  }

  /**
   * At least 12 and at most 200 characters, and a zxcvbn score of at least 3 with the user's
   * e-mail and name counted as known words. Throws 400 VALIDATION_FAILED naming `field`.
   */
  assertStrong(
    password: string,
    userInputs: (string | null | undefined)[] = [],
    field = 'password',
  ): void {
    const messages = this.problems(password, userInputs);
    if (messages.length) {
      throw new AppException('VALIDATION_FAILED', 'The password is not strong enough', [
        { field, messages },
      ]);
    }
  }
}
