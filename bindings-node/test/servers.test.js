'use strict';
// Real servers on 127.0.0.1 (Express 5, Express 4, Connect, bare node:http), exercised over
// HTTP with Node's fetch. For the drop-in, the same app mounts the real `cors` package on
// /cors and corsgate on /gate with the same options: their answers must be equal. The strict
// middleware's expectations come from docs/semantics.md.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const express5 = require('express');
const express4 = require('express4');
const connect = require('connect');
const cors = require('cors');
const corsgate = require('..');

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function close(server) {
  return new Promise((resolve) => server.close(resolve));
}

/** The CORS-relevant part of a response, header names lower-cased by fetch. */
async function answer(url, init) {
  const res = await fetch(url, init);
  const body = await res.text();
  const headers = [...res.headers].filter(([n]) => n.startsWith('access-control-') || n === 'vary' || n === 'content-length');
  return { status: res.status, headers, body };
}

const OPTIONS = [
  {},
  { origin: 'https://app.example', credentials: true, maxAge: 600 },
  { origin: [/^https:\/\/app\.example$/, 'https://other.example'], allowedHeaders: ['content-type', 'x-token'], exposedHeaders: 'x-request-id' },
  { origin: (origin, cb) => cb(null, origin === 'https://app.example'), optionsSuccessStatus: 200 },
  { origin: true, preflightContinue: true, methods: ['GET', 'PATCH'] },
];

const REQUESTS = [
  { method: 'GET', headers: {} },
  { method: 'GET', headers: { origin: 'https://app.example' } },
  { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, body: 'x' },
  { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'content-type,x-token' } },
  { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' } },
];

function app(express) {
  const a = express();
  OPTIONS.forEach((o, i) => {
    a.use(`/cors/${i}`, cors(o));
    a.use(`/gate/${i}`, corsgate(o));
  });
  a.use((req, res) => {
    res.setHeader('Vary', 'Accept-Encoding');
    res.status(200).send(`app ${req.method}`);
  });
  return a;
}

for (const [name, express] of [['Express 5', express5], ['Express 4', express4]]) {
  test(`${name}: corsgate and cors give the same answers over HTTP`, async () => {
    const server = await listen(app(express));
    const base = `http://127.0.0.1:${server.address().port}`;
    try {
      for (let i = 0; i < OPTIONS.length; i++) {
        for (const r of REQUESTS) {
          const expected = await answer(`${base}/cors/${i}/x`, r);
          const actual = await answer(`${base}/gate/${i}/x`, r);
          assert.deepEqual(actual, expected, `options ${i} ${JSON.stringify(r)}`);
        }
      }
    } finally {
      await close(server);
    }
  });
}

test('Express: a real preflight answered by the drop-in', async () => {
  const a = express5();
  a.use(corsgate({ origin: 'https://app.example', credentials: true, maxAge: 0 }));
  a.get('/x', (req, res) => res.send('ok'));
  const server = await listen(a);
  try {
    const res = await fetch(`http://127.0.0.1:${server.address().port}/x`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET,HEAD,PUT,PATCH,POST,DELETE');
    assert.equal(res.headers.get('access-control-max-age'), '0');
    assert.equal(res.headers.get('content-length'), '0');
    assert.equal(res.headers.get('vary'), 'Origin, Access-Control-Request-Headers');
  } finally {
    await close(server);
  }
});

test('Connect and bare node:http run the drop-in unchanged', async () => {
  const c = connect();
  c.use(corsgate({ origin: 'https://app.example' }));
  c.use((req, res) => res.end('connect'));
  const mw = corsgate({ origin: 'https://app.example' });
  const bare = (req, res) => mw(req, res, () => res.end('bare'));
  for (const handler of [c, bare]) {
    const server = await listen(handler);
    const url = `http://127.0.0.1:${server.address().port}/`;
    try {
      const get = await fetch(url, { headers: { origin: 'https://app.example' } });
      assert.equal(get.headers.get('access-control-allow-origin'), 'https://app.example');
      assert.equal(get.headers.get('vary'), 'Origin');
      assert.match(await get.text(), /connect|bare/);
      const pre = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'PUT' } });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example');
      assert.equal(await pre.text(), '');
    } finally {
      await close(server);
    }
  }
});

test('strict middleware: allowed and denied preflights, actual requests, Vary, reason hook', async () => {
  const policy = new corsgate.Policy({
    origins: ['https://app.example.com'],
    methods: ['PUT'],
    request_headers: ['content-type'],
    credentials: true,
    max_age: 600,
  });
  const denied = [];
  const a = express5();
  a.use(corsgate.middleware(policy, { onDenied: (reason) => denied.push(reason.code) }));
  a.use((req, res) => {
    res.append('Vary', 'Accept-Encoding');
    res.send('app');
  });
  const server = await listen(a);
  const url = `http://127.0.0.1:${server.address().port}/api`;
  try {
    // Allowed preflight (docs/semantics.md: ACAO, ACAC, ACAM = the method, ACAH, ACMA; 204).
    let res = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'Content-Type' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(res.headers.get('access-control-allow-methods'), 'PUT');
    assert.equal(res.headers.get('access-control-allow-headers'), 'content-type');
    assert.equal(res.headers.get('access-control-max-age'), '600');
    assert.equal(res.headers.get('vary'), 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    // Denied preflight: 403, no CORS headers, Vary kept.
    res = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'DELETE' } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('vary'), 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    // Actual request: the application's Vary keeps its names, the decision's are added.
    res = await fetch(url, { headers: { origin: 'https://app.example.com' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(res.headers.get('vary'), 'Accept-Encoding, Origin');
    assert.equal(await res.text(), 'app');
    // Denied actual request: the application still answers, without CORS headers.
    res = await fetch(url, { headers: { origin: 'https://evil.example.com' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.deepEqual(denied, ['method_not_allowed', 'origin_not_allowed']);
    // Live reconfiguration: the running middleware follows the policy.
    policy.reconfigure({ origins: ['https://evil.example.com'] });
    res = await fetch(url, { headers: { origin: 'https://evil.example.com' } });
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://evil.example.com');
  } finally {
    await close(server);
  }
});
