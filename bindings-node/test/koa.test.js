'use strict';
// corsgate/koa against the real @koa/cors 5 on Koa 3, over HTTP: two real servers (one per
// implementation) mount every generated option set under its own path; every request goes to
// both, and the status, the header lines in wire order (Vary included) and the body must be
// identical.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const Koa = require('koa');
const peer = require('@koa/cors');
const corsgate = require('../koa.js');

const ORIGINS = {
  default: undefined,
  star: '*',
  fixed: 'https://fixed.example',
  empty: '',
  fnEcho: (ctx) => ctx.get('Origin'),
  fnMatch: async (ctx) => (ctx.get('Origin') === 'https://a.example' ? ctx.get('Origin') : false),
  fnStar: () => '*',
  fnNumber: () => 1,
  fnSetsHeader: (ctx) => {
    ctx.set('X-From-Origin-Fn', '1');
    return 'https://fixed.example';
  },
};

const DIMENSIONS = {
  credentials: [undefined, true, 1, () => true, async () => 1, () => false],
  allowMethods: [undefined, 'GET,PUT', ['GET', 'PUT'], ''],
  allowHeaders: [undefined, 'x-a', ['x-a', 'X-B']],
  exposeHeaders: [undefined, 'x-e', ['x-e', 'x-f'], []],
  maxAge: [undefined, 0, 600, '60'],
  keepHeadersOnError: [undefined, false],
  secureContext: [undefined, true],
  privateNetworkAccess: [undefined, true],
};

const PREFLIGHT = { 'access-control-request-method': 'PUT' };
/** Requests: [method, path, headers]; `x-vary` makes the app set a Vary before the middleware. */
const REQUESTS = [
  ['GET', '/r', {}],
  ['GET', '/r', { origin: 'https://a.example' }],
  ['POST', '/r', { origin: 'https://evil.example', 'x-vary': 'Accept-Encoding' }],
  ['OPTIONS', '/r', { origin: 'https://a.example', ...PREFLIGHT, 'access-control-request-headers': 'x-a,content-type' }],
  ['OPTIONS', '/r', { origin: 'https://a.example', ...PREFLIGHT, 'access-control-request-private-network': 'true' }],
  ['OPTIONS', '/r', { origin: 'https://a.example' }],
  ['OPTIONS', '/r', { ...PREFLIGHT, 'x-vary': 'origin' }],
  ['GET', '/r', { origin: 'null', 'x-vary': '*' }],
  ['GET', '/throw', { origin: 'https://a.example' }],
  ['GET', '/throw-vary', { origin: 'https://a.example', 'x-vary': 'X-Before' }],
  ['OPTIONS', '/throw', { origin: 'https://a.example', 'access-control-request-method': '' }],
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
  const sets = [];
  for (const [name, origin] of Object.entries(ORIGINS)) {
    for (const credentials of DIMENSIONS.credentials) sets.push([`${name}/${credentials}`, { origin, credentials }]);
  }
  const random = prng(5);
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

/** A Koa app serving every option set under `/s<i>`, on 127.0.0.1. */
async function server(factory, sets) {
  const app = new Koa();
  const mws = sets.map(([, options]) => factory(options));
  app.silent = true;
  app.use(async (ctx, next) => {
    const m = /^\/s(\d+)(\/.*)$/.exec(ctx.path);
    if (!m) return;
    if (ctx.get('x-vary')) ctx.set('Vary', ctx.get('x-vary'));
    const path = m[2];
    await mws[Number(m[1])](ctx, async () => {
      if (path === '/throw' || path === '/throw-vary') {
        const err = new Error('teapot');
        err.status = 418;
        err.expose = true;
        if (path === '/throw-vary') err.headers = { Vary: 'Accept', 'X-Err': '1' };
        throw err;
      }
      ctx.body = 'ok';
    });
  });
  const srv = http.createServer(app.callback());
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
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
          if (name !== 'date' && name !== 'connection' && name !== 'keep-alive') lines.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
        }
        resolve({ status: res.statusCode, lines, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

test('generated option sets x requests over HTTP: identical status, header lines and body', async () => {
  const sets = optionSets(300);
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

test('ESM: the default and named exports are the CommonJS ones', async () => {
  const esm = await import('../koa.mjs');
  assert.equal(esm.default, corsgate);
  assert.equal(esm.strict, corsgate.strict);
});

test('strict engine over HTTP: preflights answered by the middleware, denials 403, Vary merged', async () => {
  const app = new Koa();
  const denied = [];
  app.use(async (ctx, next) => {
    ctx.set('Vary', 'Accept');
    await next();
  });
  app.use(corsgate.strict({ origins: ['https://*.example.com'], methods: ['GET', 'PUT'] }, { onDenied: (r) => denied.push(r.code) }));
  app.use((ctx) => {
    ctx.body = 'ok';
  });
  const srv = http.createServer(app.callback());
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  try {
    const pre = await request(srv, 'OPTIONS', '/x', { origin: 'https://t.example.com', 'access-control-request-method': 'PUT' });
    assert.equal(pre.status, 204);
    assert.deepEqual(pre.lines.find(([n]) => n.toLowerCase() === 'access-control-allow-methods'), ['Access-Control-Allow-Methods', 'PUT']);
    const actual = await request(srv, 'GET', '/x', { origin: 'https://u.example.com' });
    assert.equal(actual.status, 200);
    assert.equal(actual.body, 'ok');
    assert.deepEqual(actual.lines.find(([n]) => n.toLowerCase() === 'vary'), ['Vary', 'Accept, Origin']);
    const bad = await request(srv, 'OPTIONS', '/x', { origin: 'https://evil.example.net', 'access-control-request-method': 'PUT' });
    assert.equal(bad.status, 403);
    assert.deepEqual(denied, ['origin_not_allowed']);
  } finally {
    srv.close();
  }
});
