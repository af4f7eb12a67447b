// The baseline of bench:ingest: a bare Hono endpoint on the same Node
// adapter that only reads and parses the same JSON, then answers 204.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.post('/api/event', async (c) => {
  JSON.parse(await c.req.text());
  return c.body(null, 204);
});
const port = Number(process.argv[2] ?? 0);
serve({ fetch: app.fetch, port }, (info) => console.log(`bare listening ${info.port}`));
