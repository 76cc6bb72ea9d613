'use strict';
// Issue 12: what a polluted prototype or a bug in the addon must not do. Each test failed
// before its fix: `Object.prototype.origin` created an Origin for requests that had none
// (both middlewares allowed them), `Object.prototype.originalUrl` chose the route of a
// node:http request, and a panic in the raw N-API evaluator aborted the process.
//
// node --test runs every test file in its own process, so polluting Object.prototype here
// touches no other file; each test still removes what it added.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const express = require('express');
const corsgate = require('..');
const native = require('../lib/native.js');

const APP = 'https://app.example.com';

/** Serves `handler` on 127.0.0.1, sends one request, resolves with status and headers. */
function exchange(handler, { method = 'GET', path = '/', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => {
      const req = http.request(
        { host: '127.0.0.1', port: server.address().port, method, path, headers },
        (res) => {
          res.resume();
          res.on('end', () => {
            server.close();
            resolve({ status: res.statusCode, headers: res.headers });
          });
        },
      );
      req.on('error', (err) => {
        server.close();
        reject(err);
      });
      req.end();
    });
  });
}

/** Runs `fn` with `Object.prototype[name] = value`, removed afterwards. */
async function polluted(entries, fn) {
  for (const [name, value] of Object.entries(entries)) {
    Object.defineProperty(Object.prototype, name, { value, configurable: true, writable: true });
  }
  try {
    return await fn();
  } finally {
    for (const name of Object.keys(entries)) delete Object.prototype[name];
  }
}

/** A node:http handler running `mw` and answering 200 after next(). */
function serve(mw) {
  return (req, res) =>
    mw(req, res, (err) => {
      res.statusCode = err ? 500 : 200;
      res.end('app');
    });
}

const POLLUTION = {
  origin: APP,
  'access-control-request-method': 'PUT',
  'access-control-request-headers': 'x-token',
  'access-control-request-private-network': 'true',
};

test('strict middleware: Object.prototype.origin creates no Origin', async () => {
  const mw = corsgate.middleware({ origins: [APP], methods: ['PUT'], credentials: true });
  for (const method of ['GET', 'OPTIONS']) {
    const got = await polluted(POLLUTION, () => exchange(serve(mw), { method }));
    assert.equal(got.status, 200, method);
    assert.equal(got.headers['access-control-allow-origin'], undefined, method);
    assert.equal(got.headers['access-control-allow-credentials'], undefined, method);
  }
  // The request's own Origin still counts.
  const own = await exchange(serve(mw), { headers: { Origin: APP } });
  assert.equal(own.headers['access-control-allow-origin'], APP);
});

test('strict middleware: Object.prototype.originalUrl does not choose the route', async () => {
  const mw = corsgate.middleware({
    origins: [APP],
    routes: [{ path: '/public/*', origins: ['*'] }],
  });
  const evil = { headers: { Origin: 'https://evil.example' }, path: '/admin/x' };
  const got = await polluted({ originalUrl: '/public/x' }, () => exchange(serve(mw), evil));
  assert.equal(got.headers['access-control-allow-origin'], undefined);
  // Express sets originalUrl as the request's own property: that one is used.
  const app = express();
  app.use(corsgate.middleware({ origins: [APP], routes: [{ path: '/public/*', origins: ['*'] }] }));
  app.get('/public/x', (req, res) => res.send('ok'));
  const routed = await exchange(app, { headers: { Origin: 'https://evil.example' }, path: '/public/x' });
  assert.equal(routed.headers['access-control-allow-origin'], '*');
});

const DROP_IN = [
  ['list', { origin: [APP], credentials: true }],
  ['regexp', { origin: /^https:\/\/app\.example\.com$/, credentials: true }],
  ['reflect', { origin: true, credentials: true }],
  ['function', { origin: (o, cb) => cb(null, o === APP), credentials: true }],
  ['function answering true', { origin: (o, cb) => cb(null, o !== undefined), credentials: true }],
];

for (const [what, options] of DROP_IN) {
  test(`cors drop-in (${what}): Object.prototype.origin creates no Origin`, async () => {
    for (const cacheSize of [0, 1024]) {
      const mw = corsgate(options, { cacheSize });
      const got = await polluted(POLLUTION, () => exchange(serve(mw)));
      assert.equal(got.headers['access-control-allow-origin'], undefined, `cacheSize ${cacheSize}`);
      const pre = await polluted(POLLUTION, () =>
        exchange(serve(mw), { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } }),
      );
      assert.equal(pre.headers['access-control-allow-headers'], undefined, `cacheSize ${cacheSize}`);
      const own = await exchange(serve(mw), { headers: { Origin: APP } });
      assert.equal(own.headers['access-control-allow-origin'], APP);
    }
  });
}

test('cors drop-in (delegate): Object.prototype.origin creates no Origin', async () => {
  const mw = corsgate((req, cb) => cb(null, { origin: [APP], credentials: true }));
  const got = await polluted(POLLUTION, () => exchange(serve(mw)));
  assert.equal(got.headers['access-control-allow-origin'], undefined);
});

test('a panic inside the raw N-API evaluator is thrown as an internal error', () => {
  const probe = native.panicProbe();
  for (let i = 0; i < 3; i++) {
    assert.throws(() => probe('GET', '/'), (err) => {
      assert.ok(err instanceof Error);
      assert.match(err.message, /corsgate: internal error/);
      return true;
    });
  }
});

test('a panicking evaluator answers 500 through both middlewares, and the server lives on', async () => {
  const policy = new corsgate.Policy({ origins: [APP] });
  policy._native.decider = () => native.panicProbe();
  const strict = corsgate.middleware(policy);
  const app = express();
  app.set('env', 'test'); // no error log: the 500 is what is checked
  app.use(strict);
  app.get('/', (req, res) => res.send('must not run'));
  for (let i = 0; i < 2; i++) {
    const got = await exchange(app, { headers: { Origin: APP } });
    assert.equal(got.status, 500);
    assert.equal(got.headers['access-control-allow-origin'], undefined);
  }
  // node:http without next: the middleware answers 500 itself.
  const bare = await exchange((req, res) => strict(req, res), { headers: { Origin: APP } });
  assert.equal(bare.status, 500);

  // The cors drop-in, its evaluator replaced the same way (on the class, for this test).
  const proto = native.ExpressPolicy.prototype;
  const original = proto.evaluator;
  proto.evaluator = () => native.panicProbe();
  try {
    const drop = express();
    drop.set('env', 'test');
    drop.use(corsgate({ origin: [APP] }, { cacheSize: 0 }));
    drop.get('/', (req, res) => res.send('must not run'));
    const got = await exchange(drop, { headers: { Origin: APP } });
    assert.equal(got.status, 500);
    assert.equal(got.headers['access-control-allow-origin'], undefined);
  } finally {
    proto.evaluator = original;
  }
});
