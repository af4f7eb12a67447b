import { parseAddressList } from '../core/cidr.js';
import type { SiteFilters } from '../core/db/sites.js';
import { type FieldErrors, fieldErrors } from '../core/errors.js';
import { parseHttpUrl } from '../core/page.js';

/** A checked add-site form. */
export interface SiteInput {
  base_url: string;
  domain: string;
  name: string;
}

const MAX_BASE_URL = 2048;
const MAX_SITE_NAME = 100;

/**
 * Checks the add-site form. A base URL must be an absolute http(s) URL; it
 * is kept as origin plus path, without query or fragment.
 */
export function parseSiteForm(form: Record<string, unknown>): { site: SiteInput } | { errors: FieldErrors } {
  const errors = fieldErrors();
  const rawUrl = typeof form.base_url === 'string' ? form.base_url.trim() : '';
  const name = typeof form.name === 'string' ? form.name.trim() : '';
  let url: URL | undefined;
  if (rawUrl === '') {
    errors.base_url = 'Enter the address of your site, such as https://example.com.';
  } else if (rawUrl.length > MAX_BASE_URL) {
    errors.base_url = `Keep the base URL under ${MAX_BASE_URL} characters.`;
  } else {
    url = parseHttpUrl(rawUrl) ?? undefined;
    if (url === undefined || url.hostname === '')
      errors.base_url = 'The base URL must start with http:// or https://, as in https://example.com.';
  }
  if (name.length > MAX_SITE_NAME) errors.name = `Keep the name under ${MAX_SITE_NAME} characters.`;
  // PostgreSQL cannot store NUL in text; refuse it on every store alike.
  else if (name.includes('\u0000')) errors.name = 'The name cannot contain NUL characters.';
  if (url === undefined || Object.keys(errors).length > 0) return { errors };
  const path = url.pathname.replace(/\/+$/, '');
  return { site: { base_url: url.origin + path, domain: url.hostname, name: name || url.hostname } };
}

const MAX_EXCLUDED_IPS = 10_000;

/** What the filters form shows: the values typed and what was wrong with them. */
export interface FiltersFormState {
  values: { allowAnyHost: boolean; excludedIps: string };
  errors: FieldErrors;
}

/** Checks the collector-filters form; each address or network must parse. */
export function parseFiltersForm(form: Record<string, unknown>): { filters: SiteFilters } | FiltersFormState {
  const allowAnyHost = form.allow_any_host === 'on';
  const excludedIps = typeof form.excluded_ips === 'string' ? form.excluded_ips.trim() : '';
  const values = { allowAnyHost, excludedIps };
  if (excludedIps.length > MAX_EXCLUDED_IPS)
    return { values, errors: { excluded_ips: `Keep the list under ${MAX_EXCLUDED_IPS} characters.` } };
  const { list, bad } = parseAddressList(excludedIps);
  if (bad.length > 0) return { values, errors: { excluded_ips: `Not an IP address or CIDR network: ${bad.join(', ')}` } };
  return { filters: { allow_any_host: allowAnyHost ? 1 : 0, excluded_ips: list.entries.join('\n') } };
}

/** Shortest password an account may have. */
export const MIN_PASSWORD = 10;
// scrypt reads the whole password; a megabyte of it would only cost us.
const MAX_PASSWORD = 1024;
const MAX_EMAIL = 254;
const MAX_USER_NAME = 100;

const text = (value: unknown) => (typeof value === 'string' ? value : '');

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
  return text(value).trim().toLowerCase();
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

/** A checked registration form. */
export function parseRegisterForm(
  form: Record<string, unknown>,
): { account: { email: string; name: string; password: string } } | { errors: FieldErrors } {
  const email = normalEmail(form.email);
  const name = text(form.name).trim();
  const password = text(form.password);
  const errors = fieldErrors();
  const badEmail = emailError(email);
  if (badEmail !== undefined) errors.email = badEmail;
  const badPassword = passwordError(password);
  if (badPassword !== undefined) errors.password = badPassword;
  if (name.length > MAX_USER_NAME) errors.name = `Keep the name under ${MAX_USER_NAME} characters.`;
  else if (name.includes('\u0000')) errors.name = 'The name cannot contain NUL characters.';
  return Object.keys(errors).length > 0 ? { errors } : { account: { email, name, password } };
}
