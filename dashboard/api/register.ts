/**
 * How the API's routes are registered: each operation's request is checked
 * against its description before its handler runs, and an operation under
 * `/sites/{id}` finds the key's own site in `c.var.site`.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Env, MiddlewareHandler } from 'hono';
import type { Db, Site } from '../../core/db/schema.js';
import { findSite } from '../../core/db/sites.js';
import { HttpError } from '../../core/errors.js';
import { type Checked, checkRequest, type Operation } from './schema.js';

/** What a route under `/sites/{id}` has: that site, the key's account's own. */
export type SiteEnv = { Variables: { site: Site } };

/** An operation's checked request, as its handler reads it. */
type Input<O extends Operation> = { out: { param: Checked<O>['params']; query: Checked<O>['query']; json: Checked<O>['body'] } };

/** Registers operations on an app. */
export interface Registrar {
  /** An operation of the account's: its request is checked before the handler runs. */
  route<O extends Operation>(op: O, handler: (c: Context<Env, string, Input<O>>) => Promise<Response>): void;
  /** An operation under `/sites/{id}`, whose handler finds the site in `c.var.site`. */
  siteRoute<O extends Operation>(op: O, handler: (c: Context<SiteEnv, string, Input<O>>) => Promise<Response>): void;
}

/** Checks a request against its operation before its handler runs; the handler reads it with `c.req.valid`. */
function checked<O extends Operation>(op: O): MiddlewareHandler {
  return async (c, next) => {
    const { params, query, body } = await checkRequest(op, c);
    c.req.addValidatedData('param', params);
    c.req.addValidatedData('query', query);
    if (typeof body === 'object' && body !== null) c.req.addValidatedData('json', body);
    await next();
  };
}

/** Registers the operations of `app`, whose sites are read from `db`. */
export function registrar(app: OpenAPIHono, db: Db): Registrar {
  /**
   * The site middleware of every route under `/sites/{id}`: the key's
   * account's site, loaded once into `c.var.site`, or the same 404 as for a
   * site that does not exist. It runs after the request is checked, so that a
   * bad request is a 400 whoever's site it names.
   */
  const ownSite: MiddlewareHandler<SiteEnv, string, { out: { param: { id: number } } }> = async (c, next) => {
    const site = await findSite(db, c.req.valid('param').id);
    if (site === undefined || site.owner_id !== c.get('apiUser').id) throw new HttpError(404, 'There is no such site.');
    c.set('site', site);
    await next();
  };
  const on = (op: Operation, ...handlers: MiddlewareHandler[]) => {
    app.on(op.method.toUpperCase(), op.path.replace(/\{(\w+)\}/g, ':$1'), checked(op), ...handlers);
  };
  return {
    route: (op, handler) => on(op, handler),
    siteRoute: (op, handler) => {
      if (!op.path.startsWith('/sites/{id}')) throw new Error(`${op.id} is not under /sites/{id}`);
      on(op, ownSite, handler);
    },
  };
}
