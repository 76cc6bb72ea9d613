'use strict';
// Hono 4 on @hono/node-server + corsgate/hono's strict middleware (the policy file), in front
// of the shared application's behaviour (lib/app.js) written as a Hono handler.
//   node servers/hono.js <policy file> <port>
const { Hono } = require('hono');
const { serve } = require('@hono/node-server');
const { strict } = require('../../../bindings-node/hono.js');
const { sid } = require('../lib/app.js');

const [policy, port] = process.argv.slice(2);
const app = new Hono();
app.use('*', strict(policy));
app.all('*', async (c) => {
  await c.req.arrayBuffer().catch(() => null); // the app reads no body
  const path = new URL(c.req.url).pathname;
  if (path.endsWith('/cookie/set')) {
    return c.body('cookie set\n', 200, { 'Content-Type': 'text/plain', 'Set-Cookie': 'sid=hono; Path=/; SameSite=Lax; HttpOnly' });
  }
  const m = /\/status\/([1-5][0-9][0-9])$/.exec(path);
  const cookie = sid(c.req.header('cookie'));
  const headers = { 'Content-Type': 'application/json', 'X-Request-Id': 'req-42', 'X-Internal': 'hidden', 'X-Cookie': cookie || '' };
  if (c.req.query('appcors') === '1') headers['Access-Control-Allow-Origin'] = '*';
  const body = c.req.method === 'HEAD' ? null : JSON.stringify({ method: c.req.method, path, cookie });
  return c.body(body, m ? Number(m[1]) : 200, headers);
});
serve({ fetch: app.fetch, port: Number(port), hostname: '127.0.0.1' }, () => console.log(`listening on http://127.0.0.1:${port}`));
