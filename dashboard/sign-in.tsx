/** Signing in and out, and registering, to mount at the root. */
import { randomBytes } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { findUserByEmail, inviteExists, setPasswordHash, takeInvite } from '../core/db/accounts.js';
import type { AccountContext } from './account-context.js';
import { endSession, safeNext, startSession, tokenHash } from './auth.js';
import { hasControlCharacter, normalEmail, parseRegisterForm } from './forms.js';
import { page } from './page.js';
import { hashPassword, needsRehash, verifyPassword } from './password.js';
import { LoginThrottle, loginKeys, REGISTER_THROTTLE } from './throttle.js';
import { createAccount } from './users.js';
import { formString } from './validation/fields.js';
import { LoginPage, RegisterPage } from './views/accounts.js';
import type { FormState } from './views/form.js';

/** An invitation link works this long. */
export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

// Logins for unknown emails verify against this, so that they take as long
// as wrong passwords and the timing does not tell which emails have accounts.
let decoy: Promise<string> | undefined;
const decoyHash = () => {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
};

// One builder per URL space: each handler is short, and reading them in
// order shows the whole space; split further, a route would be hard to find.
/** `/login`, `/logout` and `/register`. */
export function signInRoutes({ db, registration, now, secure, addressOf, guard, passed }: AccountContext): Hono {
  const app = new Hono();
  const registrations = new LoginThrottle(REGISTER_THROTTLE);

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
    const matches = await verifyPassword(formString(form.password), user?.password_hash ?? (await decoyHash()));
    if (user === undefined || !matches) {
      // One message for both: the form must not tell which emails have accounts.
      return loginPage(c, { values: { email }, errors: { form: 'Wrong email or password.' } }, next, 401);
    }
    passed(keys, attempt);
    if (needsRehash(user.password_hash)) await setPasswordHash(db, user.id, await hashPassword(formString(form.password)));
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
    const values = { email: normalEmail(form.email), name: formString(form.name).trim(), invite: formString(form.invite) };
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

  return app;
}
