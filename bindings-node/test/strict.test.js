'use strict';
// The strict middleware (`middleware(policy)`) on real http.ServerResponse objects: each
// request twice in a row and interleaved with others (its answers are templates the addon
// sends once and JavaScript fills in afterwards, src/evaluator.rs), compared with what the
// engine's full decision (`Policy.evaluate`, a separate path) and the response rule of
// docs/semantics.md ("The response") say: status, CORS headers in order, Vary (the
// response's own names kept, the decision's missing ones added), framing, reason code and
// message. The application ends the response in `next()`.
const test = require('node:test');
const assert = require('node:assert/strict');
const corsgate = require('..');
const { run } = require('./harness.js');

const policy = new corsgate.Policy({
  origins: ['https://app.example.com', 'https://*.example.org'],
  methods: ['*'],
  request_headers: ['*'],
  credentials: true,
  expose_headers: ['x-request-id'],
  max_age: 600,
  routes: [{ path: '/open/*', origins: ['*'], methods: ['PUT'] }],
});

const REQUESTS = [
  ['GET', '/', { origin: 'https://app.example.com' }],
  ['GET', '/', { origin: 'https://a.example.org' }],
  ['GET', '/', { origin: 'https://b.example.org' }],
  ['GET', '/', {}],
  ['GET', '/', { origin: 'https://evil.example.com' }],
  ['GET', '/', { origin: 'https://x.example.org\u00e9' }],
  ['GET', '/open/x', { origin: 'https://evil.example.com' }],
  ['OPTIONS', '/', { origin: 'https://a.example.org', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'x-one, x-two' }],
  ['OPTIONS', '/', { origin: 'https://b.example.org', 'access-control-request-method': 'PROPFIND', 'access-control-request-headers': 'x-three' }],
  ['OPTIONS', '/', { origin: 'https://app.example.com', 'access-control-request-method': 'put' }],
  ['OPTIONS', '/', { origin: 'https://a.example.org', 'access-control-request-method': 'PATCH', 'access-control-request-headers': ' x-four ' }],
  ['OPTIONS', '/', { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-private-network': 'true' }],
  ['OPTIONS', '/', { origin: 'https://app.example.com', 'access-control-request-method': 'P\u00fcT' }],
  ['OPTIONS', '/open/y', { origin: 'https://any.example.net', 'access-control-request-method': 'PUT' }],
  ['OPTIONS', '/open/y', { origin: 'https://any.example.net', 'access-control-request-method': 'DELETE' }],
];

/** Whether a `Vary` value lists `name` (case-insensitively), or is `*`. */
function lists(vary, name) {
  return vary.split(',').some((s) => s.trim() === '*' || s.trim().toLowerCase() === name.toLowerCase());
}

/** What the middleware must do, from the engine's full decision and the response's Vary. */
function expected(method, path, headers, presetVary) {
  const d = policy.evaluate({ method, path, headers });
  const out = d.headers.map(([n, v]) => [n.toLowerCase(), v]);
  if (d.status != null) {
    // An answered preflight: the decision's headers, its Vary, framing but with 204.
    if (d.vary.length) out.push(['vary', d.vary.join(', ')]);
    if (d.status !== 204) out.push(['content-length', '0'], ['content-type', 'text/plain; charset=utf-8']);
  } else if (presetVary === undefined) {
    if (d.vary.length) out.push(['vary', d.vary.join(', ')]);
  } else {
    const add = d.vary.filter((n) => !lists(presetVary, n));
    out.push(['vary', [presetVary, ...add].join(', ')]);
  }
  return { status: d.status == null ? 200 : d.status, headers: out, reason: d.reason };
}

async function check(mw, denied, [method, path, headers], presetVary) {
  const want = expected(method, path, headers, presetVary);
  const snap = await runAt(mw, method, path, headers, presetVary);
  const got = snap.headers.map(([n, v]) => [n.toLowerCase(), v]).filter(([n]) => n !== 'x-app');
  const label = `${method} ${path} ${JSON.stringify(headers)} vary=${presetVary}`;
  // A preset Vary that lists every name stays first; a merged one is written last.
  const order = (list) => list.slice().sort((a, b) => (a[0] === 'vary') - (b[0] === 'vary'));
  assert.deepEqual(order(got), order(want.headers), label);
  assert.equal(snap.statusCode, want.status, label);
  assert.equal(snap.next.length, want.status === 200 ? 1 : 0, label);
  assert.ok(snap.ended, label);
  const reason = denied.shift();
  if (want.reason === null) {
    assert.equal(reason, undefined, label);
  } else {
    assert.deepEqual(reason, { code: want.reason.code, message: want.reason.message }, label);
  }
  assert.equal(denied.length, 0, label);
}

/** `harness.run` with a path, and an application that answers in `next()`. */
function runAt(mw, method, path, headers, presetVary) {
  const wrapped = (req, res, next) => {
    req.url = path;
    mw(req, res, (...args) => {
      res.setHeader('X-App', '1');
      res.end('app');
      next(...args);
    });
  };
  return run(wrapped, method, headers, presetVary);
}

test('strict middleware answers as the full decision, again and again, interleaved', async () => {
  const denied = [];
  const mw = corsgate.middleware(policy, { onDenied: (reason, req) => { assert.ok(req); denied.push(reason); } });
  for (let round = 0; round < 3; round++) {
    for (const r of REQUESTS) {
      await check(mw, denied, r);
      await check(mw, denied, r);
      await check(mw, denied, r, 'Accept-Encoding');
      await check(mw, denied, r, 'origin');
    }
  }
});

test('strict middleware: a request that is not CORS gets only Vary and next()', async () => {
  const mw = corsgate.middleware({ origins: ['https://app.example.com'] });
  const snap = await runAt(mw, 'GET', '/', {});
  assert.deepEqual(snap.headers, [['X-App', '1'], ['Vary', 'Origin']]);
  assert.equal(snap.next.length, 1);
});
