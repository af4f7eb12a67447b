/** A cookie-keeping client for in-process dashboard tests, as a browser would use the pages. */
import type { Hono } from 'hono';
import { expect } from 'vitest';

const ORIGIN = 'http://localhost:8787';

/** One browser, with its own cookies. */
export class TestBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly app: Hono,
    private readonly address = '203.0.113.50',
  ) {}

  /** GET a path, keeping cookies. */
  async get(path: string): Promise<Response> {
    return this.send(path, { method: 'GET' });
  }

  /**
   * POST a form with this browser's CSRF token (unless the fields bring
   * their own), as its pages put it into their forms.
   */
  async post(path: string, fields: Record<string, string> = {}): Promise<Response> {
    return this.send(path, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: await this.csrfToken(), ...fields }).toString(),
      // As a browser sends a form from the dashboard's own page.
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, 'sec-fetch-site': 'same-origin' },
    });
  }

  /** Registers and stays signed in; returns the email. */
  async register(email: string, password = 'a long enough password'): Promise<string> {
    const res = await this.post('/register', { email, password });
    expect(res.status, await res.clone().text()).toBe(303);
    return email;
  }

  /** Logs in with a password. */
  async login(email: string, password = 'a long enough password'): Promise<Response> {
    return this.post('/login', { email, password });
  }

  /** The `_csrf` value of a form this browser is shown now: the account page's when signed in, else the login page's. */
  async csrfToken(): Promise<string> {
    let page = await this.get('/account');
    if (page.status !== 200) page = await this.get('/login');
    const token = /name="_csrf" value="([\w-]+)"/.exec(await page.text())?.[1];
    if (token === undefined) throw new Error('TestBrowser: no form with a CSRF token on the account or login page');
    return token;
  }

  /** The value of one of this browser's cookies. */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** Sets a cookie, as a browser that holds it would send it. */
  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  /** Forgets one cookie, as when it expires. */
  dropCookie(name: string): void {
    this.cookies.delete(name);
  }

  private async send(path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await this.app.request(
      `${ORIGIN}${path}`,
      { ...init, headers: { ...init.headers, cookie } },
      { incoming: { socket: { remoteAddress: this.address } } },
    );
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      const expired = attributes.some((a) => /^\s*max-age=0$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return res;
  }
}
