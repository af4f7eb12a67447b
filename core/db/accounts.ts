import type { ApiKey, Db, ShareLink, User } from './schema.js';

/** Stores a new account; undefined when the email is taken. */
export async function insertUser(
  db: Db,
  user: { email: string; name: string; password_hash: string; created_at: number },
): Promise<User | undefined> {
  return db
    .insertInto('users')
    .values(user)
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The account with this (lower-cased) email, or undefined. */
export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

/** Replaces an account's password hash. */
export async function setPasswordHash(db: Db, userId: number, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

/** Gives every site without an owner to this account: sites added before accounts existed. */
export async function claimOwnerlessSites(db: Db, userId: number): Promise<void> {
  await db.updateTable('sites').set({ owner_id: userId }).where('owner_id', 'is', null).execute();
}

/** Records a signed-in browser by the hash of its token. */
export async function insertSession(db: Db, tokenHash: string, userId: number, now: number): Promise<void> {
  await db.insertInto('sessions').values({ token_hash: tokenHash, user_id: userId, created_at: now, last_seen_at: now }).execute();
}

/** The account behind a session token's hash, if the session was used since `since`. */
export async function findSessionUser(db: Db, tokenHash: string, since: number): Promise<{ user: User; lastSeenAt: number } | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select('sessions.last_seen_at')
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.last_seen_at', '>=', since)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const { last_seen_at, ...user } = row;
  return { user, lastSeenAt: last_seen_at };
}

/** Marks a session as used now. */
export async function touchSession(db: Db, tokenHash: string, now: number): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
}

/** Ends one session. */
export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

/** Ends every session of an account. */
export async function deleteUserSessions(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

/**
 * A new password for an account, in one transaction: every session ends and
 * every API key is revoked, so that whoever held either loses it.
 */
export async function changePassword(db: Db, userId: number, passwordHash: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await setPasswordHash(trx, userId, passwordHash);
    await deleteUserSessions(trx, userId);
    await trx.deleteFrom('api_keys').where('user_id', '=', userId).execute();
  });
}

/** Deletes sessions unused since `before`. */
export async function deleteStaleSessions(db: Db, before: number): Promise<void> {
  await db.deleteFrom('sessions').where('last_seen_at', '<', before).execute();
}

/** Records an invitation by the hash of its token. */
export async function insertInvite(db: Db, tokenHash: string, createdBy: number, now: number): Promise<void> {
  await db.insertInto('invites').values({ token_hash: tokenHash, created_by: createdBy, created_at: now }).execute();
}

/** Uses up an invitation made since `since`; true if there was one. */
export async function takeInvite(db: Db, tokenHash: string, since: number): Promise<boolean> {
  const result = await db.deleteFrom('invites').where('token_hash', '=', tokenHash).where('created_at', '>=', since).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Whether an invitation made since `since` exists, without using it up. */
export async function inviteExists(db: Db, tokenHash: string, since: number): Promise<boolean> {
  const row = await db
    .selectFrom('invites')
    .select('token_hash')
    .where('token_hash', '=', tokenHash)
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return row !== undefined;
}

/** Records a share link by the hash of its token. */
export async function insertShareLink(db: Db, siteId: number, tokenHash: string, now: number): Promise<ShareLink> {
  return db
    .insertInto('share_links')
    .values({ site_id: siteId, token_hash: tokenHash, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A site's share links, oldest first. */
export async function listShareLinks(db: Db, siteId: number): Promise<ShareLink[]> {
  return db.selectFrom('share_links').selectAll().where('site_id', '=', siteId).orderBy('id').execute();
}

/** The site a share token's hash opens, or undefined. */
export async function findSharedSiteId(db: Db, tokenHash: string): Promise<number | undefined> {
  const row = await db.selectFrom('share_links').select('site_id').where('token_hash', '=', tokenHash).executeTakeFirst();
  return row?.site_id;
}

/** Revokes one of a site's share links; false if the site has no such link. */
export async function deleteShareLink(db: Db, siteId: number, linkId: number): Promise<boolean> {
  const result = await db.deleteFrom('share_links').where('site_id', '=', siteId).where('id', '=', linkId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** How many accounts there are. */
export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Stores a new API key by its hash. */
export async function insertApiKey(
  db: Db,
  key: { user_id: number; name: string; key_hash: string; prefix: string; created_at: number },
): Promise<ApiKey> {
  return db.insertInto('api_keys').values(key).returningAll().executeTakeFirstOrThrow();
}

/** An account's API keys, oldest first. */
export async function listApiKeys(db: Db, userId: number): Promise<ApiKey[]> {
  return db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

/** The key with this hash and its account, or undefined. */
export async function findApiKey(db: Db, keyHash: string): Promise<{ key: ApiKey; user: User } | undefined> {
  const key = await db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  if (key === undefined) return undefined;
  const user = await db.selectFrom('users').selectAll().where('id', '=', key.user_id).executeTakeFirst();
  return user === undefined ? undefined : { key, user };
}

/** Notes that a key was used. */
export async function touchApiKey(db: Db, id: number, now: number): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}

/** Revokes one of an account's keys; false if it has no such key. */
export async function deleteApiKey(db: Db, userId: number, id: number): Promise<boolean> {
  const result = await db.deleteFrom('api_keys').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
