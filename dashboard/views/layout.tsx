import type { Child } from 'hono/jsx';
import { GEO_ATTRIBUTION } from '../../core/attribution.js';
import { ButtonForm } from './form.js';

/** Who is signed in, for the header. */
export interface Viewer {
  email: string;
  csrfToken: string;
}

/** The frame around every dashboard page. */
export function Layout({
  title,
  viewer,
  refreshSeconds,
  children,
}: {
  title: string;
  viewer?: Viewer | undefined;
  /** Reload the page this often: a live view without a script. */
  refreshSeconds?: number;
  children: Child;
}) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {refreshSeconds === undefined ? null : <meta http-equiv="refresh" content={String(refreshSeconds)} />}
        <title>{`${title} · Sightline`}</title>
        <link rel="stylesheet" href="/assets/style.css" />
      </head>
      <body>
        <header>
          <a href="/" class="brand">
            Sightline
          </a>
          {viewer === undefined ? null : (
            <nav class="account">
              <a href="/account">{viewer.email}</a>
              <ButtonForm action="/logout" csrfToken={viewer.csrfToken} label="Log out" class="link" />
            </nav>
          )}
        </header>
        <main>{children}</main>
        <footer>
          <a href={GEO_ATTRIBUTION.url}>{GEO_ATTRIBUTION.text}</a>
        </footer>
      </body>
    </html>
  );
}

/** A plain page for 404s and other errors: the status and one sentence. */
export function ErrorPage({ status, message }: { status: number; message: string }) {
  const title = status === 404 ? 'Not found' : status < 500 ? 'Request refused' : 'Server error';
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href="/">Back to your sites</a>
      </p>
    </Layout>
  );
}
