/** The account page: password, invitations and API keys, to mount at `/account`. */
import { type Context, Hono } from 'hono';
import { linkOrigin } from '../core/config.js';
import { changePassword, deleteApiKey, insertApiKey, insertInvite, listApiKeys } from '../core/db/accounts.js';
import { HttpError } from '../core/errors.js';
import { parseId } from '../core/ids.js';
import type { AccountContext } from './account-context.js';
import { newToken, signedIn, startSession, tokenHash } from './auth.js';
import { passwordError } from './forms.js';
import { currentUser, page, viewerOf } from './page.js';
import { hashPassword, verifyPassword } from './password.js';
import { loginKeys } from './throttle.js';
import { formString } from './validation/fields.js';
import { AccountPage } from './views/accounts.js';

// One builder per URL space: each handler is short, and reading them in
// order shows the whole space; split further, a route would be hard to find.
/** The signed-in account's own page and its forms. */
export function accountPageRoutes({ db, config, registration, now, secure, addressOf, guard, passed }: AccountContext): Hono {
  const app = new Hono();
  // On each route, not app.use: a path no route serves stays a 404 for everyone.

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

  app.get('/', signedIn, (c) => accountPage(c, {}, 200));

  app.post('/password', signedIn, async (c) => {
    const user = currentUser(c);
    const form = await c.req.parseBody();
    const password = formString(form.password);
    const errors: Record<string, string> = {};
    // Guessed like a login: whoever holds a session must not learn the password by trying.
    const keys = loginKeys(addressOf(c), user.email);
    const attempt = await guard(keys, 'wrong passwords');
    if (await verifyPassword(formString(form.current), user.password_hash)) passed(keys, attempt);
    else errors.current = 'That is not your current password.';
    const weak = passwordError(password);
    if (weak !== undefined) errors.password = weak;
    if (Object.keys(errors).length > 0) return accountPage(c, errors, 400);
    // Every session ends, this one too, and every API key goes; this browser gets a new session.
    await changePassword(db, user.id, await hashPassword(password));
    await startSession(c, db, user.id, secure(c), now());
    return c.redirect('/account?changed=1', 303);
  });

  app.post('/invites', signedIn, async (c) => {
    if (registration !== 'invite') throw new HttpError(404, 'There is no such page.');
    const token = newToken();
    await insertInvite(db, tokenHash(token), currentUser(c).id, now());
    const origin = linkOrigin(config);
    return accountPage(c, {}, 201, { inviteLink: `${origin}/register?invite=${token}` });
  });

  app.post('/keys', signedIn, async (c) => {
    const name = formString((await c.req.parseBody()).name).trim();
    if (name === '' || name.length > 100)
      return accountPage(c, { key_name: 'Name the key (at most 100 characters), such as "Grafana".' }, 400);
    // Shown once: only its hash is stored.
    const key = `sl_${newToken()}`;
    await insertApiKey(db, { user_id: currentUser(c).id, name, key_hash: tokenHash(key), prefix: key.slice(0, 7), created_at: now() });
    return accountPage(c, {}, 201, { apiKey: key });
  });

  app.post('/keys/:id/revoke', signedIn, async (c) => {
    // Plain decimal digits only: Number() would read 0x3 or 1e2 as an id.
    const id = parseId(c.req.param('id') ?? '');
    if (id < 1 || !(await deleteApiKey(db, currentUser(c).id, id))) throw new HttpError(404, 'There is no such key.');
    return c.redirect('/account#api-keys', 303);
  });

  return app;
}
