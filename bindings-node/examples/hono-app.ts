// A Hono app on Node (@hono/node-server) with corsgate's drop-in for hono/cors
// (`tsc --noEmit --strict` checks it).
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { cors, strict } from 'corsgate/hono';

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

// The strict engine from a policy file, on another app.
const api = new Hono();
api.use('*', strict('policy.toml', { onDenied: (reason, req) => console.warn(reason.code, req.headers.origin) }));
export { api };

export function start(port: number) {
  return serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
}
