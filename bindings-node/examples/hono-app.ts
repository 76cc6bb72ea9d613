// A Hono app on Node (@hono/node-server) with corsgate's drop-in for hono/cors
// (`tsc --noEmit --strict` checks it).
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { cors } from 'corsgate/hono';

const app = new Hono();
app.use(
  '/api/*',
  cors({
    origin: (origin) => (origin.endsWith('.example.com') ? origin : null),
    allowHeaders: ['content-type', 'authorization'],
    exposeHeaders: ['x-request-id'],
    credentials: true,
    maxAge: 600,
  }),
);
app.get('/api/items', (c) => c.json([]));

export function start(port: number) {
  return serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
}
