/** Creating accounts and setting passwords: shared by the register page and `npm run user`. */
import { claimOwnerlessSites, countUsers, deleteUserSessions, findUserByEmail, insertUser, setPasswordHash } from '../core/db/accounts.js';
import type { Db, User } from '../core/db/schema.js';
import { hashPassword } from './password.js';

/**
 * Stores a new account; undefined when the email is taken. The first
 * account of an install also becomes the owner of every site added before
 * accounts existed.
 */
export async function createAccount(
  db: Db,
  account: { email: string; name: string; password: string },
  now = Date.now(),
): Promise<User | undefined> {
  const user = await insertUser(db, {
    email: account.email,
    name: account.name,
    password_hash: await hashPassword(account.password),
    created_at: now,
  });
  if (user !== undefined && (await countUsers(db)) === 1) await claimOwnerlessSites(db, user.id);
  return user;
}

/** Sets a new password and signs the account out everywhere; false if there is no such account. */
export async function resetPassword(db: Db, email: string, password: string): Promise<boolean> {
  const user = await findUserByEmail(db, email);
  if (user === undefined) return false;
  await setPasswordHash(db, user.id, await hashPassword(password));
  await deleteUserSessions(db, user.id);
  return true;
}
