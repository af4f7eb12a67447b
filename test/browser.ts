/**
 * Tooling for the browser tests: a static server for fixture pages on
 * another origin, and Debian's Chromium. The server under test runs through
 * scripts/server.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { loadTestSettings } from '../core/config.js';

const settings = loadTestSettings();

/** Why the browser suite cannot run here, or undefined when it can. */
export function browserSkipReason(): string | undefined {
  return existsSync(settings.chromiumPath) || settings.requireBrowser ? undefined : `no Chromium at ${settings.chromiumPath}`;
}

/** The host name fixture pages are served under, so that the tracker does not see a local page. */
export const FIXTURE_HOST = 'customer.test';

/**
 * Headless Chromium with the flags this machine needs (closed network, root).
 * `*.test` resolves to this machine, so fixture pages have a real-looking
 * origin. Unless `automation` is set, it passes for a person's Chrome:
 * navigator.webdriver is false (the tracker skips automated browsers), and
 * the User-Agent does not say "HeadlessChrome" (the collector filters that
 * as a bot). The flag, unlike a per-page override, also covers beacons sent
 * while a page unloads.
 */
export function launchChromium({ automation = false } = {}): Promise<Browser> {
  const version = /[\d.]+/.exec(execFileSync(settings.chromiumPath, ['--version'], { encoding: 'utf8' }))?.[0] ?? '140.0.0.0';
  const person = [
    '--disable-blink-features=AutomationControlled',
    `--user-agent=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version} Safari/537.36`,
  ];
  return chromium.launch({
    executablePath: settings.chromiumPath,
    headless: true,
    chromiumSandbox: false,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-component-update',
      '--host-resolver-rules=MAP *.test 127.0.0.1',
      ...(automation ? [] : person),
    ],
  });
}

/** A static server for the fixture pages. */
export interface FixtureServer {
  /** `http://customer.test:PORT`: another origin than the dashboard's, as on a real site. */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves browser/fixtures: a path ending in `/NAME.html` gets that fixture
 * with `<!-- SNIPPET -->` replaced by `snippet`, whatever folders precede it,
 * so that each test can use paths of its own. Any other path gets
 * `page.html`, so that app routes and download links resolve to something.
 */
export async function serveFixtures(snippet: string): Promise<FixtureServer> {
  const read = (name: string) =>
    readFileSync(new URL(`../browser/fixtures/${name}`, import.meta.url), 'utf8').replace('<!-- SNIPPET -->', snippet);
  const server: Server = createServer((req, res) => {
    const name = /^\/(?:[\w-]+\/)*([\w-]+\.html)(\?|$)/.exec(req.url ?? '')?.[1];
    if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    let html: string;
    try {
      html = read(name ?? 'page.html');
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${FIXTURE_HOST}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
