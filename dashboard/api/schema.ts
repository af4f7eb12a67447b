/**
 * The API's request schemas: one description per operation, from which the
 * requests are checked and the OpenAPI document is written, so the two
 * cannot drift. A small subset of JSON Schema, as OpenAPI 3.1 uses it.
 */
import { fieldErrors, HttpError } from '../../core/errors.js';

/** A string, as parameters and fields take it. */
export interface StringSchema {
  type: 'string';
  description?: string;
  enum?: readonly string[];
  pattern?: string;
  maxLength?: number;
  format?: string;
}

/** A whole number, as parameters and fields take it. */
export interface IntegerSchema {
  type: 'integer';
  description?: string;
  minimum?: number;
  maximum?: number;
}

/** An object: request bodies and responses. */
export interface ObjectSchema {
  type: 'object';
  description?: string;
  properties: Record<string, Schema>;
  required?: readonly string[];
}

/** The JSON Schema this API uses. */
export type Schema =
  | StringSchema
  | IntegerSchema
  | ObjectSchema
  | { type: 'number' | 'boolean'; description?: string }
  | { type: 'array'; description?: string; items: Schema }
  | { type: readonly ['string', 'null'] | readonly ['integer', 'null'] | readonly ['number', 'null']; description?: string };

/** A query or path parameter. */
export interface Param {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  /** May be given more than once (`f=a&f=b`). */
  repeated?: boolean;
  schema: StringSchema | IntegerSchema;
}

/** One API operation. */
export interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI style: `/sites/{id}`. */
  path: string;
  id: string;
  summary: string;
  params: readonly Param[];
  body?: ObjectSchema;
  /** The success status and what it returns. */
  status: 200 | 201 | 204;
  response?: Schema;
}

/** What a checked request carries: strings, numbers or lists of strings. */
export type Values = Record<string, string | number | string[] | undefined>;

function checkValue(schema: Param['schema'], text: string): string | number | { error: string } {
  if (schema.type === 'integer') {
    if (!/^-?\d{1,15}$/.test(text)) return { error: 'must be a whole number' };
    const n = Number(text);
    if (schema.minimum !== undefined && n < schema.minimum) return { error: `must be at least ${schema.minimum}` };
    if (schema.maximum !== undefined && n > schema.maximum) return { error: `must be at most ${schema.maximum}` };
    return n;
  }
  if (schema.enum !== undefined && !schema.enum.includes(text)) return { error: `must be one of ${schema.enum.join(', ')}` };
  if (schema.maxLength !== undefined && text.length > schema.maxLength) return { error: `must be at most ${schema.maxLength} characters` };
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(text)) return { error: `must match ${schema.pattern}` };
  return text;
}

/**
 * Checks a request's parameters against its operation: every error is
 * collected, unknown parameters included, and answered together as a 400.
 */
export function checkParams(op: Operation, query: Record<string, string[]>, path: Record<string, string>): Values {
  const errors = fieldErrors();
  const values: Values = {};
  const known = new Set(op.params.map((p) => p.name));
  for (const name of Object.keys(query)) if (!known.has(name)) errors[name] = 'is not a parameter of this endpoint';
  for (const param of op.params) {
    const given = param.in === 'path' ? (path[param.name] === undefined ? [] : [path[param.name] as string]) : (query[param.name] ?? []);
    if (given.length === 0) {
      if (param.required) errors[param.name] = 'is required';
      continue;
    }
    if (given.length > 1 && !param.repeated) {
      errors[param.name] = 'may be given only once';
      continue;
    }
    const checked = given.map((text) => checkValue(param.schema, text));
    const bad = checked.find((value): value is { error: string } => typeof value === 'object');
    if (bad !== undefined) errors[param.name] = bad.error;
    else values[param.name] = param.repeated ? (checked as string[]) : (checked[0] as string | number);
  }
  if (Object.keys(errors).length > 0) throw new HttpError(400, 'Some parameters are wrong.', errors);
  return values;
}

/** Checks a JSON body against an object schema; unknown fields are errors too. */
export function checkBody(schema: ObjectSchema, body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'Send a JSON object.');
  const errors = fieldErrors();
  const record = body as Record<string, unknown>;
  for (const name of Object.keys(record)) if (!Object.hasOwn(schema.properties, name)) errors[name] = 'is not a field of this request';
  for (const name of schema.required ?? []) if (record[name] === undefined) errors[name] = 'is required';
  for (const [name, field] of Object.entries(schema.properties)) {
    const value = record[name];
    if (value === undefined || errors[name] !== undefined) continue;
    if (field.type === 'string') {
      if (typeof value !== 'string') errors[name] = 'must be a string';
      else {
        const checked = checkValue(field, value);
        if (typeof checked === 'object') errors[name] = checked.error;
      }
    } else if (field.type === 'integer' && !Number.isSafeInteger(value)) errors[name] = 'must be a whole number';
  }
  if (Object.keys(errors).length > 0) throw new HttpError(400, 'Some fields are wrong.', errors);
  return record;
}

const ERROR_SCHEMA: Schema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: {
          type: 'string',
          description:
            'Stable, for programs: bad_request, unauthorized, not_found, too_large, unsupported_media_type, rate_limited, internal.',
        },
        message: { type: 'string', description: 'For people.' },
        fields: { type: 'object', properties: {}, description: 'What was wrong with each named parameter or field.' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

/** The OpenAPI 3.1 document of these operations. */
export function openApiDocument(ops: readonly Operation[], info: { title: string; version: string; description: string }): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ops) {
    const responses: Record<string, unknown> = {
      [op.status]:
        op.response === undefined
          ? { description: 'Done.' }
          : { description: 'Done.', content: { 'application/json': { schema: op.response } } },
    };
    for (const [status, description] of [
      ['400', 'A parameter or field is wrong; `fields` says which.'],
      ['401', 'No API key, or one that does not exist (any more).'],
      ['404', 'No such site among the key’s account’s sites.'],
      ...(op.body === undefined
        ? []
        : [
            ['413', 'The body is larger than 16 KB.'],
            ['415', 'The body is not application/json.'],
          ]),
      ['429', 'Too many requests with this key; see Retry-After.'],
    ]) {
      responses[status as string] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, unknown>)[op.method] = {
      operationId: op.id,
      summary: op.summary,
      parameters: op.params.map((p) => ({
        name: p.name,
        in: p.in,
        description: p.description,
        required: p.in === 'path' ? true : (p.required ?? false),
        ...(p.repeated ? { schema: { type: 'array', items: p.schema }, style: 'form', explode: true } : { schema: p.schema }),
      })),
      ...(op.body === undefined ? {} : { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key made under Account in the dashboard.' } },
      schemas: { Error: ERROR_SCHEMA },
    },
  };
}
