import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from './password.js';

// Cheap parameters keep the suite fast; the format and checks are the same.
const CHEAP = { N: 1024, r: 8, p: 1 };

describe('passwords', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const stored = await hashPassword('correct horse battery', CHEAP);
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash, so one password hashes two ways', async () => {
    const [a, b] = await Promise.all([hashPassword('same password', CHEAP), hashPassword('same password', CHEAP)]);
    expect(a).not.toBe(b);
  });

  it('keeps its parameters in the hash, so a stronger default still verifies old hashes', async () => {
    const old = await hashPassword('an older password', CHEAP);
    expect(needsRehash(old)).toBe(true);
    expect(await verifyPassword('an older password', old)).toBe(true);
    const today = await hashPassword('a newer password');
    expect(today).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(needsRehash(today)).toBe(false);
    expect(await verifyPassword('a newer password', today)).toBe(true);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const stored = await hashPassword('caf\u00e9 au lait', CHEAP);
    expect(await verifyPassword('cafe\u0301 au lait', stored)).toBe(true);
  });

  it.each([
    ['an empty string', ''],
    ['another scheme', 'bcrypt$2b$10$abc'],
    ['missing parts', 'scrypt$1024$8$1$c2FsdA=='],
    ['a cost past the memory cap', `scrypt$${2 ** 30}$8$1$c2FsdHNhbHRzYWx0c2FsdA==$${'A'.repeat(43)}=`],
    ['a short key', 'scrypt$1024$8$1$c2FsdHNhbHRzYWx0c2FsdA==$AAAA'],
    ['non-numbers', 'scrypt$x$8$1$c2FsdHNhbHRzYWx0c2FsdA==$AAAA'],
  ])('refuses a stored hash with %s instead of throwing', async (_label, stored) => {
    expect(await verifyPassword('whatever password', stored)).toBe(false);
  });
});
