import { z } from 'zod';
import { parseAddressList } from '../core/cidr.js';
import type { SiteFilters } from '../core/db/sites.js';
import type { FieldErrors } from '../core/errors.js';
import { parseHttpUrl } from '../core/page.js';
import { fieldErrorsOf, formString, formText } from './validation/fields.js';

/** A checked add-site form. */
export interface SiteInput {
  base_url: string;
  domain: string;
  name: string;
}

const MAX_BASE_URL = 2048;
const MAX_SITE_NAME = 100;

const SITE_FORM = z
  .object({
    base_url: z
      .preprocess(
        formText,
        z
          .string()
          .min(1, 'Enter the address of your site, such as https://example.com.')
          .max(MAX_BASE_URL, `Keep the base URL under ${MAX_BASE_URL} characters.`),
      )
      .transform((text, ctx) => {
        const url = parseHttpUrl(text);
        if (url !== null && url.hostname !== '') return url;
        ctx.addIssue({ code: 'custom', message: 'The base URL must start with http:// or https://, as in https://example.com.' });
        return z.NEVER;
      }),
    name: z.preprocess(
      formText,
      z
        .string()
        .max(MAX_SITE_NAME, `Keep the name under ${MAX_SITE_NAME} characters.`)
        // PostgreSQL cannot store NUL in text; refuse it on every store alike.
        .refine((name) => !name.includes('\u0000'), 'The name cannot contain NUL characters.'),
    ),
  })
  .transform(({ base_url: url, name }): SiteInput => {
    const path = url.pathname.replace(/\/+$/, '');
    return { base_url: url.origin + path, domain: url.hostname, name: name || url.hostname };
  });

/**
 * Checks the add-site form. A base URL must be an absolute http(s) URL; it
 * is kept as origin plus path, without query or fragment.
 */
export function parseSiteForm(form: Record<string, unknown>): { site: SiteInput } | { errors: FieldErrors } {
  const checked = SITE_FORM.safeParse(form);
  return checked.success ? { site: checked.data } : { errors: fieldErrorsOf(checked.error) };
}

const MAX_EXCLUDED_IPS = 10_000;

/** What the filters form shows: the values typed and what was wrong with them. */
export interface FiltersFormState {
  values: { allowAnyHost: boolean; excludedIps: string };
  errors: FieldErrors;
}

/** The excluded addresses, one per line: each address or network must parse. */
const EXCLUDED_IPS = z
  .string()
  .max(MAX_EXCLUDED_IPS, `Keep the list under ${MAX_EXCLUDED_IPS} characters.`)
  .transform((text, ctx) => {
    const { list, bad } = parseAddressList(text);
    if (bad.length === 0) return list.entries.join('\n');
    ctx.addIssue({ code: 'custom', message: `Not an IP address or CIDR network: ${bad.join(', ')}` });
    return z.NEVER;
  });

/** Checks the collector-filters form; each address or network must parse. */
export function parseFiltersForm(form: Record<string, unknown>): { filters: SiteFilters } | FiltersFormState {
  const values = { allowAnyHost: form.allow_any_host === 'on', excludedIps: formText(form.excluded_ips) };
  const checked = z.object({ excluded_ips: EXCLUDED_IPS }).safeParse({ excluded_ips: values.excludedIps });
  if (!checked.success) return { values, errors: fieldErrorsOf(checked.error) };
  return { filters: { allow_any_host: values.allowAnyHost ? 1 : 0, excluded_ips: checked.data.excluded_ips } };
}

/** Shortest password an account may have. */
export const MIN_PASSWORD = 10;
// scrypt reads the whole password; a megabyte of it would only cost us.
const MAX_PASSWORD = 1024;
const MAX_EMAIL = 254;
const MAX_USER_NAME = 100;

/** Whether a text holds a C0 control character or DEL, which no address or path needs. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** An email address as stored: trimmed and lower-cased. */
export function normalEmail(value: unknown): string {
  return formString(value).trim().toLowerCase();
}

function emailError(email: string): string | undefined {
  if (email === '') return 'Enter your email address.';
  if (email.length > MAX_EMAIL || hasControlCharacter(email) || !/^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(email))
    return 'That is not a valid email address.';
  return undefined;
}

/** Why a new password cannot be used, or undefined. */
export function passwordError(password: string): string | undefined {
  if (password.length < MIN_PASSWORD) return `Use at least ${MIN_PASSWORD} characters.`;
  if (password.length > MAX_PASSWORD) return `Keep the password under ${MAX_PASSWORD} characters.`;
  return undefined;
}

/** A message from one of the checks above, as a zod issue. */
const issueFrom =
  (check: (value: string) => string | undefined) =>
  (value: string, ctx: z.RefinementCtx): void => {
    const message = check(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  };

const REGISTER_FORM = z.object({
  email: z.preprocess(normalEmail, z.string().superRefine(issueFrom(emailError))),
  name: z.preprocess(
    formText,
    z
      .string()
      .max(MAX_USER_NAME, `Keep the name under ${MAX_USER_NAME} characters.`)
      .refine((name) => !name.includes('\u0000'), 'The name cannot contain NUL characters.'),
  ),
  password: z.preprocess(formString, z.string().superRefine(issueFrom(passwordError))),
});

/** A checked registration form. */
export function parseRegisterForm(
  form: Record<string, unknown>,
): { account: { email: string; name: string; password: string } } | { errors: FieldErrors } {
  const checked = REGISTER_FORM.safeParse(form);
  return checked.success ? { account: checked.data } : { errors: fieldErrorsOf(checked.error) };
}
