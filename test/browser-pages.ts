/**
 * A site owner's first steps in the dashboard, through its real forms in a
 * browser page, for the browser tests that need a signed-in owner and a site.
 */
import type { Page } from 'playwright-core';

/** An account the tests register; any password of at least 10 characters will do. */
export interface Account {
  readonly email: string;
  readonly name: string;
  readonly password: string;
}

export const OWNER: Account = { email: 'owner@example.com', name: 'Owner', password: 'correct horse battery' };

/** Registers through /register; the page ends signed in, on the home page. */
export async function register(page: Page, origin: string, account: Account = OWNER): Promise<void> {
  await page.goto(`${origin}/register`);
  await page.fill('#email', account.email);
  await page.fill('#name', account.name);
  await page.fill('#password', account.password);
  await page.click('form[action="/register"] button[type=submit]');
  await page.waitForURL(`${origin}/`);
}

/**
 * Adds a site through the home page's form and returns its id, read from the
 * report page the form leads to. The page must be signed in.
 */
export async function addSite(page: Page, origin: string, baseUrl: string, name = ''): Promise<number> {
  await page.goto(`${origin}/`);
  await page.fill('#base_url', baseUrl);
  await page.fill('#name', name);
  // Signed-in pages have a second submit button, Log out, in the header.
  await page.click('form[action="/site"] button[type=submit]');
  await page.waitForURL(/\/site\/\d+$/);
  return Number(new URL(page.url()).pathname.split('/').pop());
}

/** A new owner and their first site; returns the site's id. */
export async function registerAndAddSite(page: Page, origin: string, baseUrl: string, account: Account = OWNER): Promise<number> {
  await register(page, origin, account);
  return addSite(page, origin, baseUrl);
}
