'use strict';
// The drop-in's template memo (lib/cors.js): requests whose origins differ only in case, a
// suffix, a port, a scheme or a trailing dot, interleaved with allowed ones and with varying
// request header lists, must each get exactly what the real `cors` package answers (status,
// header lines on the wire, next() calls): an origin never inherits another origin's allowed
// verdict from the memo, and an echoed value is always the request's own.
const test = require('node:test');
const assert = require('node:assert/strict');
const cors = require('cors');
const corsgate = require('..');
const { run } = require('./harness.js');

const ALLOWED = 'https://a.example.com';
/** Near misses of ALLOWED (and of every tenant subdomain): none is allowed by the options below. */
const NEAR = [
  'https://A.example.com',
  'https://a.example.com.evil.net',
  'https://a.example.com:8443',
  'http://a.example.com',
  'https://a.example.com.',
  'https://a.example.comm',
  'https://xa.example.com',
  'https://a.example.co',
  ' https://a.example.com',
  'https://a.example.com/',
];

/** Option sets, each made twice (a `g` RegExp is stateful: each middleware gets its own). */
const OPTIONS = {
  regex: () => ({ origin: /^https:\/\/a\.example\.com$/ }),
  tenants: () => ({ origin: /^https:\/\/t[0-9]+\.example\.com$/, credentials: true }),
  list: () => ({ origin: [ALLOWED, /^https:\/\/t[0-9]+\.example\.com$/], allowedHeaders: ['x-a'] }),
  string: () => ({ origin: ALLOWED }),
  fnBool: () => ({ origin: (o, cb) => cb(null, o === ALLOWED || /^https:\/\/t[0-9]+\.example\.com$/.test(o)) }),
  fnString: () => ({ origin: (o, cb) => cb(null, o === ALLOWED ? o : 'https://fixed.example') }),
  fnRegex: () => ({ origin: (o, cb) => cb(null, /^https:\/\/a\.example\.com$/) }),
  globalRegex: () => ({ origin: /^https:\/\/(a|t[0-9]+)\.example\.com$/g }),
};

/** The request sequence: allowed, near misses and new tenants interleaved, preflights and GETs. */
function requests() {
  const out = [];
  let n = 0;
  for (const near of NEAR) {
    for (const origin of [ALLOWED, near, `https://t${n++}.example.com`, near.replace('a.', `t${n++}.`)]) {
      out.push(['GET', { origin }]);
      out.push(['OPTIONS', { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': `x-h${n}` }]);
      out.push(['OPTIONS', { origin, 'access-control-request-method': 'PUT' }]);
      out.push(['OPTIONS', { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': '' }]);
    }
  }
  return out;
}

for (const [name, options] of Object.entries(OPTIONS)) {
  test(`memo: near-miss origins answer as cors does (${name})`, async () => {
    const expected = cors(options());
    const actual = corsgate(options());
    for (const round of [1, 2]) {
      for (const [method, headers] of requests()) {
        const want = await run(expected, method, headers);
        const got = await run(actual, method, headers);
        const label = `${name} round ${round}: ${method} ${JSON.stringify(headers)}`;
        assert.equal(got.statusCode, want.statusCode, label);
        assert.deepEqual(got.headers, want.headers, label);
        assert.equal(got.wire, want.wire, label);
        assert.equal(got.next.length, want.next.length, label);
      }
    }
  });
}

test('memo: a near-miss origin right after the allowed one gets no Access-Control-Allow-Origin', async () => {
  const mw = corsgate({ origin: /^https:\/\/a\.example\.com$/, credentials: true });
  for (const near of NEAR) {
    const allowed = await run(mw, 'GET', { origin: ALLOWED });
    assert.deepEqual(allowed.headers.find(([n]) => n === 'Access-Control-Allow-Origin'), ['Access-Control-Allow-Origin', ALLOWED]);
    const denied = await run(mw, 'GET', { origin: near });
    assert.equal(denied.headers.find(([n]) => n === 'Access-Control-Allow-Origin'), undefined, near);
  }
});
