/**
 * Account routes: register, log in and out, change password, invitations.
 * Sessions live in auth.ts, password hashing in password.ts, login
 * throttling in throttle.ts.
 */

import { randomBytes } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { type Config, linkOrigin } from '../core/config.js';
import {
  changePassword,
  deleteApiKey,
  findUserByEmail,
  insertApiKey,
  insertInvite,
  inviteExists,
  listApiKeys,
  setPasswordHash,
  takeInvite,
} from '../core/db/accounts.js';
import type { Db } from '../core/db/schema.js';
import { HttpError } from '../core/errors.js';
import { parseId } from '../core/ids.js';
import { clientAddress, socketAddress, throttleAddress } from '../core/ip.js';
import { endSession, newToken, safeNext, secureRequest, signedIn, startSession, tokenHash } from './auth.js';
import { hasControlCharacter, normalEmail, parseRegisterForm, passwordError } from './forms.js';
import { currentUser, page, viewerOf } from './page.js';
import { hashPassword, needsRehash, verifyPassword } from './password.js';
import { LoginThrottle, loginKeys, REGISTER_THROTTLE, tooMany } from './throttle.js';
import { createAccount } from './users.js';
import { AccountPage, LoginPage, RegisterPage } from './views/accounts.js';
import type { FormState } from './views/form.js';

/** An invitation link works this long. */
export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

/** What the account routes need. */
export interface AccountDeps {
  readonly db: Db;
  readonly config: Config;
  readonly throttle: LoginThrottle;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Logins for unknown emails verify against this, so that they take as long
// as wrong passwords and the timing does not tell which emails have accounts.
let decoy: Promise<string> | undefined;
const decoyHash = () => {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
};

/** The account routes, to mount at the root. */
export function accountRoutes(deps: AccountDeps): Hono {
  const { db, config, throttle } = deps;
  const registrations = new LoginThrottle(REGISTER_THROTTLE);
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? sleepFor;
  const registration = config.accounts.registration;
  const secure = (c: Context) => secureRequest(c, config.accounts.secureCookies);
  const app = new Hono();
  const addressOf = (c: Context) =>
    throttleAddress(clientAddress(socketAddress(c), c.req.header('x-forwarded-for'), config.ingest.trustedProxies));

  /**
   * Answers 429 if `keys` are refused, else waits out their delay. The
   * attempt is counted as a failure before it is checked, so that many sent
   * at once are throttled like many sent one by one; `passed` takes it back.
   */
  const guard = async (keys: readonly string[], what: string, on = throttle): Promise<number> => {
    const attempt = now();
    const verdict = on.verdict(keys, attempt);
    if ('refusedUntil' in verdict) throw tooMany(what, verdict.refusedUntil, attempt);
    on.fail(keys, attempt);
    if (verdict.delayMs > 0) await sleep(verdict.delayMs);
    return attempt;
  };
  /** A right password: the address keeps its count less this attempt; the pair and the account start again. */
  const passed = (keys: readonly string[], attempt: number) => {
    for (const key of keys) {
      if (key.startsWith('address:')) throttle.undo(key, attempt);
      else throttle.forget(key);
    }
  };

  const loginPage = (c: Context, form: FormState<'email'>, next: string, status: 200 | 401) =>
    page(c, <LoginPage form={form} next={next} csrfToken={c.get('csrfToken')} registration={registration} />, status);

  app.get('/login', (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.get('user') !== undefined) return c.redirect(next, 303);
    return loginPage(c, { values: { email: '' }, errors: {} }, next, 200);
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const email = normalEmail(form.email);
    const next = safeNext(form.next);
    const address = addressOf(c);
    // An email longer than any real one is no account: it must not grow the throttle's memory.
    const keys = loginKeys(address, email.slice(0, 254));
    const attempt = await guard(keys, 'failed logins');
    const plausible = email !== '' && email.length <= 254 && !hasControlCharacter(email);
    const user = plausible ? await findUserByEmail(db, email) : undefined;
    const matches = await verifyPassword(text(form.password), user?.password_hash ?? (await decoyHash()));
    if (user === undefined || !matches) {
      // One message for both: the form must not tell which emails have accounts.
      return loginPage(c, { values: { email }, errors: { form: 'Wrong email or password.' } }, next, 401);
    }
    passed(keys, attempt);
    if (needsRehash(user.password_hash)) await setPasswordHash(db, user.id, await hashPassword(text(form.password)));
    await startSession(c, db, user.id, secure(c), now());
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    await endSession(c, db);
    return c.redirect('/login', 303);
  });

  const registerPage = async (c: Context, form: FormState<'email' | 'name' | 'invite'>, status: 200 | 400 | 403 | 409) => {
    const inviteValid = registration === 'invite' && (await validInvite(form.values.invite));
    return page(
      c,
      <RegisterPage form={form} csrfToken={c.get('csrfToken')} registration={registration} inviteValid={inviteValid} />,
      status,
    );
  };
  const validInvite = (token: string) => (token === '' ? false : inviteExists(db, tokenHash(token), now() - INVITE_TTL_MS));

  app.get('/register', async (c) => {
    if (c.get('user') !== undefined) return c.redirect('/', 303);
    const values = { email: '', name: '', invite: c.req.query('invite') ?? '' };
    return registerPage(c, { values, errors: {} }, registration === 'closed' ? 403 : 200);
  });

  app.post('/register', async (c) => {
    await guard([`register:${addressOf(c)}`], 'sign-ups from this address', registrations);
    const form = await c.req.parseBody();
    const values = { email: normalEmail(form.email), name: text(form.name).trim(), invite: text(form.invite) };
    if (registration === 'closed') return registerPage(c, { values, errors: {} }, 403);
    if (registration === 'invite' && !(await validInvite(values.invite))) return registerPage(c, { values, errors: {} }, 403);
    const result = parseRegisterForm(form);
    if ('errors' in result) return registerPage(c, { values, errors: result.errors }, 400);
    const taken = { email: 'An account with this email already exists. Log in instead.' };
    if ((await findUserByEmail(db, result.account.email)) !== undefined) {
      // As long as making an account takes: the timing must not tell which emails have one.
      await hashPassword(result.account.password);
      return registerPage(c, { values, errors: taken }, 409);
    }
    // Used up before the account exists, so one invitation makes one account.
    if (registration === 'invite' && !(await takeInvite(db, tokenHash(values.invite), now() - INVITE_TTL_MS))) {
      return registerPage(c, { values, errors: {} }, 403);
    }
    const user = await createAccount(db, result.account, now());
    if (user === undefined) return registerPage(c, { values, errors: taken }, 409);
    await startSession(c, db, user.id, secure(c), now());
    return c.redirect('/', 303);
  });

  const accountPage = async (
    c: Context,
    errors: Record<string, string>,
    status: 200 | 201 | 400,
    shown: { inviteLink?: string; apiKey?: string } = {},
  ) => {
    const notice = c.req.query('changed') === '1' ? 'Password changed. Every other browser was signed out.' : undefined;
    const keys = await listApiKeys(db, currentUser(c).id);
    const props = {
      viewer: viewerOf(c),
      form: { values: {}, errors },
      notice,
      registration,
      inviteLink: shown.inviteLink,
      keys,
      newKey: shown.apiKey,
    };
    return page(c, <AccountPage {...props} />, status);
  };

  app.get('/account', signedIn, (c) => accountPage(c, {}, 200));

  app.post('/account/password', signedIn, async (c) => {
    const user = currentUser(c);
    const form = await c.req.parseBody();
    const password = text(form.password);
    const errors: Record<string, string> = {};
    // Guessed like a login: whoever holds a session must not learn the password by trying.
    const keys = loginKeys(addressOf(c), user.email);
    const attempt = await guard(keys, 'wrong passwords');
    if (await verifyPassword(text(form.current), user.password_hash)) passed(keys, attempt);
    else errors.current = 'That is not your current password.';
    const weak = passwordError(password);
    if (weak !== undefined) errors.password = weak;
    if (Object.keys(errors).length > 0) return accountPage(c, errors, 400);
    // Every session ends, this one too, and every API key goes; this browser gets a new session.
    await changePassword(db, user.id, await hashPassword(password));
    await startSession(c, db, user.id, secure(c), now());
    return c.redirect('/account?changed=1', 303);
  });

  app.post('/account/invites', signedIn, async (c) => {
    if (registration !== 'invite') throw new HttpError(404, 'There is no such page.');
    const token = newToken();
    await insertInvite(db, tokenHash(token), currentUser(c).id, now());
    const origin = linkOrigin(config);
    return accountPage(c, {}, 201, { inviteLink: `${origin}/register?invite=${token}` });
  });

  app.post('/account/keys', signedIn, async (c) => {
    const name = text((await c.req.parseBody()).name).trim();
    if (name === '' || name.length > 100)
      return accountPage(c, { key_name: 'Name the key (at most 100 characters), such as "Grafana".' }, 400);
    // Shown once: only its hash is stored.
    const key = `sl_${newToken()}`;
    await insertApiKey(db, { user_id: currentUser(c).id, name, key_hash: tokenHash(key), prefix: key.slice(0, 7), created_at: now() });
    return accountPage(c, {}, 201, { apiKey: key });
  });

  app.post('/account/keys/:id/revoke', signedIn, async (c) => {
    // Plain decimal digits only: Number() would read 0x3 or 1e2 as an id.
    const id = parseId(c.req.param('id') ?? '');
    if (id < 1 || !(await deleteApiKey(db, currentUser(c).id, id))) throw new HttpError(404, 'There is no such key.');
    return c.redirect('/account#api-keys', 303);
  });

  return app;
}
