import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { insertSession } from '../core/db/accounts.js';
import { openStore } from '../core/db/connect.js';
import { countRows, dialects, useTestStore } from '../test/store.js';
import { verifyPassword } from './password.js';
import { runUserCommand, USAGE } from './user-cli.js';

describe.each(dialects)('npm run user on %s', (dialect) => {
  const store = useTestStore(dialect);

  async function run(args: string[], piped?: string) {
    const lines: string[] = [];
    const code = await runUserCommand(store().db, args, { readPassword: async () => piped, print: (line) => lines.push(line) });
    return { code, lines };
  }
  const user = () => store().db.selectFrom('users').selectAll().executeTakeFirst();

  it('creates an account with a piped password', async () => {
    const { code, lines } = await run(['create', 'Ops@Example.com', 'Ops'], 'a long enough password');
    expect([code, lines]).toEqual([0, ['Created the account ops@example.com.']]);
    const created = await user();
    expect(created).toMatchObject({ email: 'ops@example.com', name: 'Ops' });
    expect(await verifyPassword('a long enough password', created?.password_hash ?? '')).toBe(true);
  });

  it('makes and prints a password when none is piped', async () => {
    const { code, lines } = await run(['create', 'ops@example.com']);
    expect(code).toBe(0);
    const password = /^Its password: (\S+) /.exec(lines[1] ?? '')?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(await verifyPassword(password, (await user())?.password_hash ?? '')).toBe(true);
  });

  it('resets the password of an existing account and ends its sessions', async () => {
    await run(['create', 'ops@example.com'], 'the first long password');
    await insertSession(store().db, 'a'.repeat(64), 1, Date.now());
    const { code, lines } = await run(['create', 'ops@example.com'], 'the second long password');
    expect([code, lines]).toEqual([0, ['Set a new password for ops@example.com and signed it out everywhere.']]);
    expect(await verifyPassword('the second long password', (await user())?.password_hash ?? '')).toBe(true);
    expect(await countRows(store().db, 'sessions')).toBe(0);
    expect(await countRows(store().db, 'users')).toBe(1);
  });

  it.each([
    [['create'], undefined, 2, [USAGE]],
    [['delete', 'ops@example.com'], undefined, 2, [USAGE]],
    [['create', 'not-an-email'], 'a long enough password', 1, ['email: That is not a valid email address.']],
    [['create', 'ops@example.com'], 'short', 1, ['password: Use at least 10 characters.']],
  ])('refuses %j with a reason and changes nothing', async (args, piped, status, output) => {
    expect(await run(args, piped)).toEqual({ code: status, lines: output });
    expect(await countRows(store().db, 'users')).toBe(0);
  });
});

describe('npm run user, the real command', () => {
  it('creates an account in the SQLite file that DATABASE_URL names, reading the password from stdin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-user-'));
    try {
      const file = join(dir, 'data', 'sightline.db');
      const out = execFileSync('node', ['scripts/run-ts.mjs', 'scripts/user.ts', 'create', 'ops@example.com'], {
        env: { ...process.env, DATABASE_URL: `sqlite:${file}` },
        input: 'a long enough password\n',
        encoding: 'utf8',
      });
      expect(out.trim()).toBe('Created the account ops@example.com.');
      const store = openStore({ dialect: 'sqlite', path: file });
      try {
        const row = await store.db.selectFrom('users').select('password_hash').executeTakeFirstOrThrow();
        expect(await verifyPassword('a long enough password', row.password_hash)).toBe(true);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
