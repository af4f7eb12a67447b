/**
 * How the API describes an operation: zod schemas for its path, query and
 * body, from which requests are checked (./routes.ts) and the OpenAPI
 * document is generated (@hono/zod-openapi), so the two cannot drift.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type FieldErrors, fieldErrors, HttpError } from '../../core/errors.js';
import { fieldErrorsOf } from '../validation/fields.js';

type Shape = Record<string, z.ZodType>;

/** The body of an operation that takes none: nothing is read. */
const NO_BODY = z.undefined();

/** One API operation. */
export interface Operation<P extends Shape = Shape, Q extends Shape = Shape, B extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI style: `/sites/{id}`. */
  path: string;
  id: string;
  summary: string;
  params: z.ZodObject<P, z.core.$strict>;
  query: z.ZodObject<Q, z.core.$strict>;
  /** A JSON object with these fields and no others, or NO_BODY. */
  body: B;
  /** The success status and what it returns. */
  status: 200 | 201 | 204;
  response?: z.ZodType;
}

interface Description<P extends Shape, Q extends Shape> {
  method: Operation['method'];
  path: string;
  id: string;
  summary: string;
  params: P;
  query: Q;
  status: Operation['status'];
  response?: z.ZodType;
}

/** Describes an operation without a body; its path and query take no names but these. */
export function operation<P extends Shape, Q extends Shape>(op: Description<P, Q>): Operation<P, Q, typeof NO_BODY>;
/** Describes an operation with a JSON body, which takes no fields but these. */
export function operation<P extends Shape, Q extends Shape, B extends Shape>(
  op: Description<P, Q> & { body: B },
): Operation<P, Q, z.ZodObject<B, z.core.$strict>>;
export function operation(op: Description<Shape, Shape> & { body?: Shape }): Operation {
  const { params, query, body, ...rest } = op;
  return {
    ...rest,
    params: z.strictObject(params),
    query: z.strictObject(query),
    body: body === undefined ? NO_BODY : z.strictObject(body),
  };
}

/** What a checked request carries, typed from its operation's schemas. */
export interface Checked<O extends Operation> {
  params: z.output<O['params']>;
  query: z.output<O['query']>;
  body: z.output<O['body']>;
}

/** A query parameter given once; `?period=7d&period=30d` is an error. */
export function once<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, ctx) => {
    if (!Array.isArray(value)) return value;
    ctx.addIssue({ code: 'custom', message: 'may be given only once' });
    return z.NEVER;
  }, schema);
}

/** A query parameter that may be given any number of times (`f=a&f=b`). */
export function many<T extends z.ZodType>(schema: T) {
  return z
    .preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(schema))
    .openapi({ param: { style: 'form', explode: true } });
}

/** A whole number in a path or query: plain digits only, not `0x1`, `1e0` or ` 1`. */
export function wholeNumber(minimum: number, maximum: number) {
  return z
    .string()
    .regex(/^-?\d{1,15}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.int().min(minimum).max(maximum))
    .openapi({ type: 'integer', minimum, maximum });
}

/** The API's words for zod's issues; a schema's own message comes first. */
const apiMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return issue.expected === 'string' ? 'must be a string' : 'must be a whole number';
    case 'invalid_value':
      return `must be one of ${issue.values.join(', ')}`;
    case 'too_small':
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${issue.maximum} characters` : `must be at most ${issue.maximum}`;
    case 'invalid_format':
      // zod gives the pattern as `/source/flags`; the API has always named the source.
      return issue.format === 'regex' && issue.pattern !== undefined
        ? `must match ${issue.pattern.slice(1, issue.pattern.lastIndexOf('/'))}`
        : undefined;
    default:
      return undefined;
  }
};

/** Field errors of a value against a schema, or the value as the schema gives it. */
function check<T extends z.ZodType>(schema: T, value: unknown, unknown: string): { data: z.output<T> } | { errors: FieldErrors } {
  const result = schema.safeParse(value, { error: apiMessage });
  return result.success ? { data: result.data } : { errors: fieldErrorsOf(result.error, unknown) };
}

/**
 * Checks a request against its operation: the path and query together,
 * every error collected (unknown parameters included) and answered as one
 * 400; then the body, which must be a JSON object with known fields.
 */
export async function checkRequest<O extends Operation>(op: O, c: Context): Promise<Checked<O>> {
  const path = c.req.param();
  // As Hono's validators read a query: one value as a string, more as a list.
  // A query parameter named like a path parameter has always been ignored.
  const query = Object.fromEntries(
    Object.entries(c.req.queries())
      .filter(([name]) => !Object.hasOwn(path, name))
      .map(([name, values]) => [name, values.length === 1 ? values[0] : values]),
  );
  const params = check<O['params']>(op.params, path, 'is not a parameter of this endpoint');
  const values = check<O['query']>(op.query, query, 'is not a parameter of this endpoint');
  if ('errors' in params || 'errors' in values) {
    const errors = Object.assign(fieldErrors(), 'errors' in params ? params.errors : {}, 'errors' in values ? values.errors : {});
    throw new HttpError(400, 'Some parameters are wrong.', errors);
  }
  let json: unknown;
  if (op.body !== NO_BODY) {
    if (!isJson(c.req.header('content-type'))) throw new HttpError(415, 'Send the body as application/json.');
    try {
      json = await c.req.json();
    } catch {
      throw new HttpError(400, 'The body is not valid JSON.');
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new HttpError(400, 'Send a JSON object.');
  }
  const body = check<O['body']>(op.body, json, 'is not a field of this request');
  if ('errors' in body) throw new HttpError(400, 'Some fields are wrong.', body.errors);
  return { params: params.data, query: values.data, body: body.data };
}

/** Whether a Content-Type names JSON: application/json, or a `+json` type, with any parameters. */
export function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type);
}

const ERROR = z
  .object({
    error: z.object({
      code: z.string().openapi({
        description:
          'Stable, for programs: bad_request, unauthorized, not_found, too_large, unsupported_media_type, rate_limited, internal.',
      }),
      message: z.string().openapi({ description: 'For people.' }),
      fields: z.record(z.string(), z.string()).optional().openapi({ description: 'What was wrong with each named parameter or field.' }),
    }),
  })
  .openapi('Error');

/** Adds the operations to an app's OpenAPI registry, with the errors each can answer. */
export function describeOperations(app: OpenAPIHono, ops: readonly Operation[]): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key made under Account in the dashboard.',
  });
  for (const op of ops) {
    const errors: Array<[number, string]> = [
      [400, 'A parameter or field is wrong; `fields` says which.'],
      [401, 'No API key, or one that does not exist (any more).'],
      [404, 'No such site among the key’s account’s sites.'],
      ...(op.body === NO_BODY
        ? []
        : ([
            [413, 'The body is larger than 16 KB.'],
            [415, 'The body is not application/json.'],
          ] satisfies Array<[number, string]>)),
      [429, 'Too many requests with this key; see Retry-After.'],
    ];
    const route = createRoute({
      method: op.method,
      path: op.path,
      operationId: op.id,
      summary: op.summary,
      request: {
        params: op.params,
        query: op.query,
        ...(op.body === NO_BODY ? {} : { body: { required: true, content: { 'application/json': { schema: op.body } } } }),
      },
      responses: {
        [op.status]:
          op.response === undefined
            ? { description: 'Done.' }
            : { description: 'Done.', content: { 'application/json': { schema: op.response } } },
        ...Object.fromEntries(
          errors.map(([status, description]) => [status, { description, content: { 'application/json': { schema: ERROR } } }]),
        ),
      },
    });
    app.openAPIRegistry.registerPath(route);
  }
}
