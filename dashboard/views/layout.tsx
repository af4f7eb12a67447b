import type { Child } from 'hono/jsx';
import { GEO_ATTRIBUTION } from '../../collector/geo.js';

/** The frame around every dashboard page. */
export function Layout({ title, children }: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Sightline`}</title>
        <link rel="stylesheet" href="/assets/style.css" />
      </head>
      <body>
        <header>
          <a href="/" class="brand">
            Sightline
          </a>
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
