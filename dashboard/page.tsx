import type { Context } from 'hono';
import { raw } from 'hono/html';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { User } from '../core/db/schema.js';
import { HttpError } from '../core/errors.js';
import type { Viewer } from './views/layout.js';

/** Answers with a whole HTML page. */
export function page(c: Context, body: JSX.Element, status: ContentfulStatusCode = 200): Response | Promise<Response> {
  return c.html(
    <>
      {raw('<!doctype html>')}
      {body}
    </>,
    status,
  );
}

/** The signed-in account; routes behind `signedIn` always have one. */
export function currentUser(c: Context): User {
  const user = c.get('user');
  if (user === undefined) throw new HttpError(500, 'This page needs an account but was reached without one.');
  return user;
}

/** What the header shows for the signed-in account. */
export function viewerOf(c: Context): Viewer {
  return { email: currentUser(c).email, csrfToken: c.get('csrfToken') };
}
