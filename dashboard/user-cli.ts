/**
 * `npm run user -- create EMAIL`: makes an account, or sets a new password
 * for an existing one, from the shell. For operators who closed
 * registration, and for anyone locked out of their own install.
 */
import { randomBytes } from 'node:crypto';
import { findUserByEmail } from '../core/db/accounts.js';
import type { Db } from '../core/db/schema.js';
import { normalEmail, parseRegisterForm } from './forms.js';
import { createAccount, resetPassword } from './users.js';

/** Where the command reads a password from and writes its answer. */
export interface CliIo {
  /** The password piped on stdin, or undefined when stdin is a terminal. */
  readonly readPassword: () => Promise<string | undefined>;
  readonly print: (line: string) => void;
}

/** The usage line. */
export const USAGE = 'usage: npm run user -- create EMAIL [NAME]   (pipe a password on stdin, or one is made for you)';

/** Runs the command; returns the process exit code. */
export async function runUserCommand(db: Db, args: readonly string[], io: CliIo): Promise<number> {
  const [command, rawEmail, name = ''] = args;
  if (command !== 'create' || rawEmail === undefined || args.length > 3) {
    io.print(USAGE);
    return 2;
  }
  const piped = await io.readPassword();
  const password = piped ?? randomBytes(15).toString('base64url');
  const checked = parseRegisterForm({ email: rawEmail, name, password });
  if ('errors' in checked) {
    for (const [field, message] of Object.entries(checked.errors)) io.print(`${field}: ${message}`);
    return 1;
  }
  const email = normalEmail(rawEmail);
  if ((await findUserByEmail(db, email)) === undefined) {
    await createAccount(db, checked.account);
    io.print(`Created the account ${email}.`);
  } else {
    await resetPassword(db, email, password);
    io.print(`Set a new password for ${email} and signed it out everywhere.`);
  }
  if (piped === undefined) io.print(`Its password: ${password}  (change it under Account after logging in)`);
  return 0;
}
