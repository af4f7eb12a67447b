/**
 * Account routes: signing in and up (sign-in.tsx) and the account page
 * (account-page.tsx), sharing one AccountContext. Sessions live in
 * auth.ts, password hashing in password.ts, login throttling in
 * throttle.ts.
 */
import { Hono } from 'hono';
import { type AccountDeps, accountContext } from './account-context.js';
import { accountPageRoutes } from './account-page.js';
import { signInRoutes } from './sign-in.js';

/** The account routes, to mount at the root. */
export function accountRoutes(deps: AccountDeps): Hono {
  const context = accountContext(deps);
  const app = new Hono();
  app.route('/', signInRoutes(context));
  app.route('/account', accountPageRoutes(context));
  return app;
}
