'use strict';
// corsgate/hono against Hono's own cors() (hono 4) on @hono/node-server, over HTTP: two real
// servers (one per implementation) mount every generated option set under its own path; every
// request goes to both, and the status, the header lines and the body must be identical.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { Hono } = require('hono');
const { cors: peer } = require('hono/cors');
const { serve } = require('@hono/node-server');
const corsgate = require('../hono.js');

const ORIGINS = {
  default: undefined,
  star: '*',
  fixed: 'https://a.example',
  list: ['https://a.example', 'https://b.example'],
  fnEcho: (origin) => origin,
  fnAsync: async (origin) => (origin.endsWith('.example') ? origin : null),
  fnFixed: () => 'https://fixed.example',
  fnEmpty: () => '',
};

const DIMENSIONS = {
  credentials: [undefined, true],
  allowMethods: [undefined, ['GET', 'PUT'], [], 'GET', async (origin) => (origin ? ['PATCH'] : [])],
  allowHeaders: [undefined, ['x-a', 'X-B'], []],
  exposeHeaders: [undefined, ['x-e', 'x-f']],
  maxAge: [undefined, 0, 600],
};

const PREFLIGHT = { 'access-control-request-method': 'PUT' };
const REQUESTS = [
  ['GET', '/r', {}],
  ['GET', '/r', { origin: 'https://a.example' }],
  ['POST', '/r', { origin: 'https://evil.test' }],
  ['OPTIONS', '/r', { origin: 'https://a.example', ...PREFLIGHT, 'access-control-request-headers': ' x-a , Content-Type,,' }],
  ['OPTIONS', '/r', { origin: 'https://b.example', ...PREFLIGHT }],
  ['OPTIONS', '/r', {}],
  ['GET', '/vary', { origin: 'https://a.example' }],
  ['GET', '/missing', { origin: 'https://a.example' }],
];

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function optionSets(count) {
  const sets = Object.entries(ORIGINS).map(([name, origin]) => [name, { origin }]);
  const random = prng(7);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const names = Object.keys(ORIGINS);
  while (sets.length < count) {
    const name = pick(names);
    const choice = { origin: ORIGINS[name] };
    for (const [k, values] of Object.entries(DIMENSIONS)) choice[k] = pick(values);
    sets.push([`${name}/${JSON.stringify(choice)}`, choice]);
  }
  return sets.map(([n, o]) => {
    const clean = {};
    for (const [k, v] of Object.entries(o)) if (v !== undefined) clean[k] = v;
    return [n, Object.freeze(clean)];
  });
}

async function server(factory, sets) {
  const app = new Hono();
  sets.forEach(([, options], i) => {
    app.use(`/s${i}/*`, factory(options));
    app.all(`/s${i}/r`, (c) => c.text('ok'));
    app.get(`/s${i}/vary`, (c) => {
      c.header('Vary', 'Accept');
      return c.json({ ok: true });
    });
  });
  const srv = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => (srv.listening ? resolve() : srv.once('listening', resolve)));
  return srv;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
test.after(() => agent.destroy());

function request(srv, method, path, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.address().port, method, path, headers, agent }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        const lines = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i].toLowerCase();
          if (name !== 'date' && name !== 'connection' && name !== 'keep-alive') lines.push([name, res.rawHeaders[i + 1]]);
        }
        resolve({ status: res.statusCode, lines, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

test('generated option sets x requests over HTTP: identical status, header lines and body', async () => {
  const sets = optionSets(240);
  const [theirs, ours] = await Promise.all([server(peer, sets), server(corsgate, sets)]);
  try {
    for (let i = 0; i < sets.length; i++) {
      for (const [method, path, headers] of REQUESTS) {
        const [a, b] = await Promise.all([request(theirs, method, `/s${i}${path}`, headers), request(ours, method, `/s${i}${path}`, headers)]);
        assert.deepEqual(b, a, `${sets[i][0]}: ${method} ${path} ${JSON.stringify(headers)}`);
      }
    }
  } finally {
    theirs.close();
    ours.close();
  }
});

test('ESM: the default and named exports are the CommonJS middleware factory', async () => {
  const esm = await import('../hono.mjs');
  assert.equal(esm.default, corsgate);
  assert.equal(esm.cors, corsgate);
});

test('strict engine over HTTP: preflights answered at once, denials 403, Vary merged into the handler\'s', async () => {
  const app = new Hono();
  const denied = [];
  app.use('*', corsgate.strict({ origins: ['https://*.example.com'], methods: ['GET', 'PUT'] }, { onDenied: (r) => denied.push(r.code) }));
  app.get('/x', (c) => {
    c.header('Vary', 'Accept');
    return c.text('ok');
  });
  const srv = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => (srv.listening ? resolve() : srv.once('listening', resolve)));
  const get = (lines, name) => (lines.find(([n]) => n === name) || [])[1];
  try {
    const pre = await request(srv, 'OPTIONS', '/x', { origin: 'https://t.example.com', 'access-control-request-method': 'PUT' });
    assert.equal(pre.status, 204);
    assert.equal(get(pre.lines, 'access-control-allow-methods'), 'PUT');
    const actual = await request(srv, 'GET', '/x', { origin: 'https://u.example.com' });
    assert.equal(actual.status, 200);
    assert.equal(actual.body, 'ok');
    assert.equal(get(actual.lines, 'access-control-allow-origin'), 'https://u.example.com');
    assert.equal(get(actual.lines, 'vary'), 'Accept, Origin');
    const bad = await request(srv, 'OPTIONS', '/x', { origin: 'https://evil.example.net', 'access-control-request-method': 'PUT' });
    assert.equal(bad.status, 403);
    assert.equal(get(bad.lines, 'access-control-allow-origin'), undefined);
    const other = await request(srv, 'GET', '/x', { origin: 'https://evil.example.net' });
    assert.equal(get(other.lines, 'access-control-allow-origin'), undefined);
    assert.deepEqual(denied, ['origin_not_allowed', 'origin_not_allowed']);
  } finally {
    srv.close();
  }
});
