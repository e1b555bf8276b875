import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const master = 'a-jwt-secret-that-is-at-least-32-characters-long';
  const box = new SecretBox(master, 'totp-secret');

  it('round-trips, with a fresh IV each time', () => {
    const a = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    const b = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(a).toMatch(/^v1\./);
    expect(a).not.toBe(b);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(a, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(box.open(b, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('detects any altered byte', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    for (const i of [0, 12, 28, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[i] ^= 0x01;
      expect(() => box.open(`v1.${tampered.toString('base64url')}`, 'user-1')).toThrow(/altered/);
    }
    expect(() => box.open('v1.AAAA', 'user-1')).toThrow(/malformed/);
    expect(() => box.open(`v2.${sealed.slice(3)}`, 'user-1')).toThrow(/malformed/);
  });

  it('refuses another context, another purpose and another master secret', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(() => box.open(sealed, 'user-2')).toThrow();
    expect(() => new SecretBox(master, 'other-purpose').open(sealed, 'user-1')).toThrow();
    expect(() => new SecretBox(`${master}x`, 'totp-secret').open(sealed, 'user-1')).toThrow();
  });
});
