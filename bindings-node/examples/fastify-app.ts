// A Fastify 5 app with corsgate's @fastify/cors drop-in, route-level options and the strict
// engine in a second instance (`tsc --noEmit --strict` checks it in make test-node).
import Fastify from 'fastify';
import cors from 'corsgate/fastify';
import { strict, Policy } from 'corsgate/fastify';
import type { FastifyCorsOptionsDelegateCallback } from 'corsgate/fastify';

const app = Fastify();
app.register(cors, {
  origin: async (origin: string | undefined) => origin === 'https://app.example.com',
  credentials: true,
  exposedHeaders: ['x-request-id'],
  maxAge: 600,
  cacheControl: 600,
  hook: 'preHandler',
});
app.get('/public', { config: { cors: { origin: '*', credentials: false } } }, async () => ({ ok: true }));
app.get('/internal', { config: { cors: false } }, async (req) => ({ preflight: req.corsPreflightEnabled }));

const delegated = Fastify();
const perRequest: FastifyCorsOptionsDelegateCallback = (req, cb) => cb(null, { origin: req.headers.host === 'api.example.com' });
delegated.register(cors, { delegator: perRequest, hook: 'onRequest' });

const api = Fastify();
api.register(strict, {
  policy: Policy.fromTOML('origins = ["https://app.example.com"]\ncredentials = true'),
  onDenied: (reason, req) => console.warn(reason.code, req.headers.origin),
});

export { app, delegated, api };
