'use strict';
// corsgate/fastify against the real @fastify/cors 11 on Fastify 5: generated option sets x
// requests through fastify.inject; status, every header in order (Vary included) and the body
// must be identical. Each option set is one encapsulated plugin context under its own prefix,
// so one Fastify app per implementation serves all of them.
const test = require('node:test');
const assert = require('node:assert/strict');
const Fastify = require('fastify');
const peer = require('@fastify/cors');
const corsgate = require('../fastify.js');

const fnError = new Error('origin refused');

/** Every form the `origin` option takes (callbacks, promises, thrown-away answers included). */
const ORIGINS = {
  default: undefined,
  star: '*',
  fixed: 'https://fixed.example',
  reflect: true,
  disabled: false,
  empty: '',
  nul: null,
  regexAnchored: /^https:\/\/a\.example$/,
  regexUnanchored: /a\.example/,
  regexGlobal: /^https:\/\/a\.example$/g,
  array: ['https://a.example', /^https:\/\/b\.example$/],
  arrayStar: ['https://a.example', '*'],
  arrayEmpty: [],
  number: 1,
  fnTrue: (o, cb) => cb(null, true),
  fnFalse: (o, cb) => cb(null, false),
  fnString: (o, cb) => cb(null, 'https://from-fn.example'),
  fnStar: (o, cb) => cb(null, '*'),
  fnArrayStar: (o, cb) => cb(null, ['*']),
  fnRegex: (o, cb) => cb(null, [/a\.example$/]),
  fnError: (o, cb) => cb(fnError),
  fnUndefinedError: (o, cb) => cb(undefined, true),
  fnNothing: (o, cb) => cb(null),
  fnLater: (o, cb) => setImmediate(() => cb(null, o === 'https://a.example')),
  asyncTrue: async () => true,
  asyncMatch: async (o) => o === 'https://a.example' || o === 'https://b.example',
  asyncString: async () => 'https://from-async.example',
  asyncReject: async () => {
    throw fnError;
  },
  fnThis: function (o, cb) {
    cb(null, typeof this.register === 'function'); // called with the Fastify instance
  },
};

const DIMENSIONS = {
  credentials: [undefined, true, 1],
  methods: [undefined, 'GET,PUT', ['GET', 'PUT', 'patch'], ''],
  allowedHeaders: [undefined, 'x-a', ['x-a', 'X-B'], ''],
  exposedHeaders: [undefined, 'x-e', ['x-e', 'x-f'], ''],
  maxAge: [undefined, 0, 600],
  cacheControl: [undefined, 30, 'no-store', true, 1.5],
  preflightContinue: [undefined, true],
  optionsSuccessStatus: [undefined, 200],
  preflight: [undefined, false],
  strictPreflight: [undefined, false],
  hook: [undefined, 'preHandler', 'preParsing', 'preValidation', 'preSerialization'],
};

/** Route-level `config.cors` of the `/over` route. */
const ROUTE_CORS = [
  { origin: 'https://fixed.example', credentials: true, cacheControl: 30 },
  { origin: ['https://b.example', '*'], methods: ['GET'], maxAge: 5 },
  { origin: (o, cb) => cb(null, o === 'https://b.example'), allowedHeaders: null, preflight: true },
];

const PREFLIGHT = { 'access-control-request-method': 'PUT' };
/** Requests: [method, path, headers]; `x-vary` makes the app set a Vary before the hook. */
const REQUESTS = [
  ['GET', '/r', {}],
  ['GET', '/r', { origin: 'https://a.example' }],
  ['POST', '/r', { origin: 'https://evil.example', 'x-vary': 'Accept-Encoding' }],
  ['OPTIONS', '/r', { origin: 'https://a.example', ...PREFLIGHT, 'access-control-request-headers': 'x-a,content-type' }],
  ['OPTIONS', '/r', { origin: 'https://b.example', ...PREFLIGHT }],
  ['OPTIONS', '/r', { origin: 'https://evil.example', ...PREFLIGHT, 'x-vary': 'origin' }],
  ['OPTIONS', '/r', { origin: 'https://a.example' }],
  ['OPTIONS', '/r', { ...PREFLIGHT, 'access-control-request-headers': '' }],
  ['OPTIONS', '/r', {}],
  ['GET', '/r', { origin: 'null', 'x-vary': '*' }],
  ['OPTIONS', '/missing/deep', { origin: 'https://a.example', ...PREFLIGHT, 'x-vary': 'Accept,\tOrigin' }],
  ['GET', '/missing', { origin: 'https://a.example' }],
  ['GET', '/off', { origin: 'https://a.example' }],
  ['OPTIONS', '/off', { origin: 'https://a.example', ...PREFLIGHT }],
  ['GET', '/over', { origin: 'https://b.example' }],
  ['OPTIONS', '/over', { origin: 'https://b.example', ...PREFLIGHT, 'access-control-request-headers': 'x-z' }],
  ['GET', '/text', { origin: 'https://a.example', 'x-vary': 'X-One, x-two' }],
];

/** A small seeded PRNG (mulberry32), so every run checks the same option sets. */
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

function optionsOf(choice) {
  const o = {};
  for (const [k, v] of Object.entries(choice)) if (v !== undefined) o[k] = v;
  return Object.freeze(o);
}

/** Every origin form with every hook and the defaults, then random combinations of the rest. */
function optionSets(count) {
  const sets = [];
  const hooks = DIMENSIONS.hook;
  for (const [name, origin] of Object.entries(ORIGINS)) {
    for (const hook of hooks) sets.push([`${name}/${hook}`, optionsOf({ origin, hook })]);
  }
  const random = prng(16);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const names = Object.keys(ORIGINS);
  while (sets.length < count) {
    const name = pick(names);
    const choice = { origin: ORIGINS[name] };
    for (const [k, values] of Object.entries(DIMENSIONS)) choice[k] = pick(values);
    sets.push([`${name}/${JSON.stringify(choice)}`, optionsOf(choice)]);
  }
  return sets;
}

/** One app: each option set in its own context under `/s<i>`, with the same routes. */
async function app(plugin, sets) {
  const fastify = Fastify({ logger: false });
  sets.forEach(([, options], i) => {
    fastify.register(
      async (child) => {
        child.addHook('onRequest', (req, reply, done) => {
          if (req.headers['x-vary']) reply.header('Vary', req.headers['x-vary']);
          done();
        });
        child.register(plugin, options);
        child.get('/r', async () => ({ ok: true }));
        child.post('/r', async () => ({ ok: true }));
        child.get('/text', (req, reply) => reply.header('Vary', 'Accept').send('text'));
        child.get('/off', { config: { cors: false } }, async () => ({ off: true }));
        child.options('/off', { config: { cors: false } }, async () => ({ off: true }));
        const over = ROUTE_CORS[i % ROUTE_CORS.length];
        child.get('/over', { config: { cors: over } }, async () => ({ over: true }));
        child.options('/over', { config: { cors: over } }, async () => ({ over: true }));
      },
      { prefix: `/s${i}` },
    );
  });
  await fastify.ready();
  return fastify;
}

function snapshot(res) {
  const headers = Object.entries(res.headers).filter(([n]) => n !== 'date' && n !== 'connection' && n !== 'keep-alive');
  return { status: res.statusCode, headers, body: res.body };
}

test('generated option sets x requests: identical status, headers in order and body', async () => {
  const sets = optionSets(600);
  const [theirs, ours] = await Promise.all([app(peer, sets), app(corsgate, sets)]);
  let compared = 0;
  for (let i = 0; i < sets.length; i++) {
    for (const [method, path, headers] of REQUESTS) {
      const req = { method, url: `/s${i}${path}`, headers };
      const [a, b] = await Promise.all([theirs.inject(req), ours.inject(req)]);
      assert.deepEqual(snapshot(b), snapshot(a), `${sets[i][0]}: ${method} ${path} ${JSON.stringify(headers)}`);
      compared++;
    }
  }
  assert.equal(compared, sets.length * REQUESTS.length);
  await Promise.all([theirs.close(), ours.close()]);
});

/** Delegators: a callback, a promise, a non-promise answer, failures; and `delegator`. */
const DELEGATORS = {
  callback: (req, cb) => cb(null, { origin: req.headers.origin === 'https://a.example', credentials: true }),
  callbackError: (req, cb) => cb(fnError),
  promise: async (req) => ({ origin: ['https://b.example'], exposedHeaders: ['x-e'], cacheControl: 60 }),
  promiseFixed: async () => ({ origin: 'https://fixed.example' }),
  promiseReject: async () => {
    throw fnError;
  },
  notPromise: (req) => ({ origin: true }),
};

test('delegators (a function as options, or `delegator` with a hook) answer identically', async () => {
  const sets = [];
  for (const [name, fn] of Object.entries(DELEGATORS)) {
    sets.push([`${name}`, () => fn]); // Fastify calls a function given as options
    sets.push([`${name}/delegator`, { delegator: fn, hook: 'preHandler' }]);
  }
  const [theirs, ours] = await Promise.all([app(peer, sets), app(corsgate, sets)]);
  for (let i = 0; i < sets.length; i++) {
    for (const [method, path, headers] of REQUESTS) {
      const req = { method, url: `/s${i}${path}`, headers };
      const [a, b] = await Promise.all([theirs.inject(req), ours.inject(req)]);
      assert.deepEqual(snapshot(b), snapshot(a), `${sets[i][0]}: ${method} ${path} ${JSON.stringify(headers)}`);
    }
  }
  await Promise.all([theirs.close(), ours.close()]);
});

/** The error a registration ends with. */
async function registrationError(plugin, options) {
  const fastify = Fastify();
  fastify.register(plugin, options);
  try {
    await fastify.ready();
    return null;
  } catch (err) {
    return { name: err.name, message: err.message, ctor: err.constructor.name };
  } finally {
    await fastify.close().catch(() => {});
  }
}

test('registration errors are the ones @fastify/cors gives, worded as it words them', async () => {
  for (const options of [{ hook: 'onSend' }, { hook: 'nope', origin: true }, { delegator: async () => ({}), hook: 'onResponse' }]) {
    const theirs = await registrationError(peer, options);
    assert.ok(theirs, JSON.stringify(options));
    assert.deepEqual(await registrationError(corsgate, options), theirs);
  }
});

test('a status @fastify/cors would throw on per preflight is refused at registration', async () => {
  const err = await registrationError(corsgate, { optionsSuccessStatus: 600 });
  assert.equal(err.ctor, 'CorsgateConfigError');
  assert.match(err.message, /optionsSuccessStatus is 600/);
});

test('ESM: default and named exports are the CommonJS plugin', async () => {
  const esm = await import('../fastify.mjs');
  assert.equal(esm.default, corsgate);
  assert.equal(esm.fastifyCors, corsgate);
  assert.equal(esm.strict, corsgate.strict);
});

test('strict engine from a policy: preflights answered in the hook, denials 403, Vary merged', async () => {
  const fastify = Fastify();
  const denied = [];
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.header('Vary', 'Accept');
    done();
  });
  fastify.register(corsgate.strict, {
    policy: { origins: ['https://*.example.com'], methods: ['GET', 'PUT'], credentials: true },
    onDenied: (reason) => denied.push(reason.code),
  });
  fastify.get('/api', async () => ({ ok: true }));
  const preflight = await fastify.inject({
    method: 'OPTIONS',
    url: '/api',
    headers: { origin: 'https://t1.example.com', 'access-control-request-method': 'PUT' },
  });
  assert.equal(preflight.statusCode, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], 'https://t1.example.com');
  assert.equal(preflight.headers['access-control-allow-methods'], 'PUT');
  const actual = await fastify.inject({ method: 'GET', url: '/api', headers: { origin: 'https://t2.example.com' } });
  assert.equal(actual.statusCode, 200);
  assert.equal(actual.headers['access-control-allow-credentials'], 'true');
  assert.equal(actual.headers.vary, 'Accept, Origin');
  const bad = await fastify.inject({
    method: 'OPTIONS',
    url: '/api',
    headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'PUT' },
  });
  assert.equal(bad.statusCode, 403);
  assert.equal(bad.headers['access-control-allow-origin'], undefined);
  assert.deepEqual(denied, ['origin_not_allowed']);
  await fastify.close();
});
