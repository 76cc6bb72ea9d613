// A Koa app with corsgate's @koa/cors drop-in (`tsc --noEmit --strict` checks it).
import Koa from 'koa';
import cors, { strict } from 'corsgate/koa';

const allowed = new Set(['https://app.example.com', 'https://admin.example.com']);
const app = new Koa();
app.use(
  cors({
    origin: async (ctx) => (allowed.has(ctx.get('Origin')) ? ctx.get('Origin') : false),
    credentials: true,
    exposeHeaders: ['x-request-id'],
    maxAge: 600,
    keepHeadersOnError: true,
  }),
);
app.use((ctx) => {
  ctx.body = { ok: true };
});

// The strict engine from a policy file, in a second app.
const api = new Koa();
api.use(strict('policy.toml', { onDenied: (reason, req) => console.warn(reason.code, req.headers.origin) }));

export { app, api };
