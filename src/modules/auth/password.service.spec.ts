import { AppException } from '../../common/errors';
import { PasswordService } from './password.service';

describe('PasswordService', () => {
  const passwords = new PasswordService();

  it('hashes with argon2id and verifies the right password only', async () => {
    const hash = await passwords.hash('Violet-Kettle-Harbour-93');
    expect(hash).toMatch(/^\$argon2id\$/);
    await expect(passwords.verify(hash, 'Violet-Kettle-Harbour-93')).resolves.toBe(true);
    await expect(passwords.verify(hash, 'violet-kettle-harbour-93')).resolves.toBe(false);
  });

  it('never throws on a malformed hash, and the dummy check is always false', async () => {
    await expect(passwords.verify('not-a-hash', 'whatever')).resolves.toBe(false);
    await expect(passwords.verifyDummy('Violet-Kettle-Harbour-93')).resolves.toBe(false);
  });

  it('accepts a long, unguessable password', () => {
    expect(
      passwords.problems('Violet-Kettle-Harbour-93', ['ana@example.org', 'Ana Silva']),
    ).toEqual([]);
    expect(() => passwords.assertStrong('correct horse battery staple')).not.toThrow();
  });

  it('refuses fewer than 12 and more than 200 characters', () => {
    expect(passwords.problems('Xk9#mP2$vL7')).toEqual([
      'Password must be at least 12 characters long',
    ]);
    expect(passwords.problems('Xk9#mP2$vL7q'.repeat(17))).toEqual([
      'Password must be at most 200 characters long',
    ]);
  });

  it('refuses a common password with zxcvbn feedback', () => {
    const problems = passwords.problems('password1234');
    expect(problems[0]).toBe('Password is too easy to guess');
    expect(problems.length).toBeGreaterThan(1);
  });

  it("refuses a password built on the user's own e-mail or name", () => {
    const inputs = ['ana.silva@peru.example.org', 'Ana Silva'];
    expect(passwords.problems('ana.silva@peru.example.org1', inputs)).toContain(
      'Password is too easy to guess',
    );
    expect(passwords.problems('ana.silva@peru.example.org1')).toEqual([]);
  });

  it('assertStrong throws 400 VALIDATION_FAILED naming the field', () => {
    let error: unknown;
    try {
      passwords.assertStrong('short', [], 'newPassword');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppException);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      details: [
        { field: 'newPassword', messages: ['Password must be at least 12 characters long'] },
      ],
    });
  });
});
