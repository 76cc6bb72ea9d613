'use strict';
// The public API around the middleware: security warnings, configuration errors, the strict
// Policy (objects, JSON, TOML, files), live reconfiguration.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const corsgate = require('..');
const { Policy, CorsgateConfigError } = corsgate;
const { run } = require('./harness.js');

function captureWarnings(fn) {
  // process.emitWarning delivers on the next tick: listen until the loop turns.
  const seen = [];
  const listener = (w) => seen.push(w);
  process.on('warning', listener);
  try {
    fn();
  } catch (err) {
    process.off('warning', listener);
    throw err;
  }
  return new Promise((resolve) =>
    setImmediate(() => {
      process.off('warning', listener);
      resolve(seen);
    }),
  );
}

test('the module is the cors function, with named exports', () => {
  assert.equal(typeof corsgate, 'function');
  assert.equal(corsgate.default, corsgate);
  assert.equal(corsgate.cors, corsgate);
  assert.equal(typeof corsgate.middleware, 'function');
});

test('credentials with a reflected or wildcard origin: one CorsgateSecurityWarning each', async () => {
  for (const [origin, code] of [
    [true, 'credentials_with_reflected_origin'],
    ['*', 'wildcard_origin_with_credentials'],
    [undefined, 'wildcard_origin_with_credentials'],
  ]) {
    const options = origin === undefined ? { credentials: true } : { origin, credentials: true };
    let mw;
    const seen = await captureWarnings(() => {
      mw = corsgate(options);
    });
    assert.equal(seen.length, 1);
    assert.equal(seen[0].name, 'CorsgateSecurityWarning');
    assert.match(seen[0].message, new RegExp(code));
    assert.deepEqual(mw.warnings.map((w) => w.code), [code]);
  }
});

test('unanchored RegExps warn with their path; anchored ones and safe options do not', async () => {
  let seen = await captureWarnings(() => corsgate({ origin: ['https://a.example', /example\.com$/] }));
  assert.equal(seen.length, 1);
  assert.match(seen[0].message, /^origin\[1\]: .*regex_unanchored/);
  seen = await captureWarnings(() => {
    corsgate({ origin: /^https:\/\/app\.example\.com$/, credentials: true });
    corsgate({ origin: 'https://app.example.com', credentials: true });
    corsgate();
  });
  assert.deepEqual(seen, []);
});

test('options cors would crash on at request time throw CorsgateConfigError up front', () => {
  assert.throws(
    () => corsgate({ methods: undefined, optionsSuccessStatus: 1000 }),
    (err) => {
      assert.ok(err instanceof CorsgateConfigError);
      assert.ok(err instanceof Error);
      assert.deepEqual(err.errors.map((e) => [e.path, e.code]), [
        ['methods', 'invalid_type'],
        ['optionsSuccessStatus', 'invalid_status'],
      ]);
      assert.ok(err.errors.every((e) => e.message && e.hint));
      return true;
    },
  );
});

test('the drop-in never mutates the options object and reconfigure swaps atomically', async () => {
  const options = Object.freeze({ origin: Object.freeze(['https://a.example']), methods: Object.freeze(['GET']) });
  const mw = corsgate(options);
  let snap = await run(mw, 'GET', { origin: 'https://a.example' });
  assert.deepEqual(snap.headers, [
    ['Access-Control-Allow-Origin', 'https://a.example'],
    ['Vary', 'Origin'],
  ]);
  assert.throws(() => mw.reconfigure({ optionsSuccessStatus: 42 }), CorsgateConfigError);
  snap = await run(mw, 'GET', { origin: 'https://a.example' });
  assert.equal(snap.headers[0][1], 'https://a.example', 'old options keep serving');
  mw.reconfigure({ origin: 'https://b.example' });
  snap = await run(mw, 'GET', { origin: 'https://a.example' });
  assert.equal(snap.headers[0][1], 'https://b.example');
});

test('Policy: evaluate returns the decision with its reason in the browser\'s words', () => {
  const policy = new Policy({ origins: ['https://app.example.com'] });
  const d = policy.evaluate({ method: 'GET', headers: { origin: 'http://app.example.com' } });
  assert.equal(d.kind, 'actual');
  assert.equal(d.allowed, false);
  assert.deepEqual(d.headers, []);
  assert.deepEqual(d.vary, ['Origin']);
  assert.equal(d.reason.code, 'origin_not_allowed');
  assert.equal(d.reason.value, 'http://app.example.com');
  assert.match(d.reason.message, /https/);
  assert.equal(d.reason.browserReason, "No 'Access-Control-Allow-Origin' header is present on the requested resource.");
  const ok = policy.evaluate({ headers: [['Origin', 'https://app.example.com']] });
  assert.deepEqual(ok.headers, [['Access-Control-Allow-Origin', 'https://app.example.com']]);
  assert.equal(ok.reason, null);
});

test('Policy: JSON, TOML and files; errors list every problem; reconfigure keeps the old one on error', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corsgate-'));
  try {
    const toml = path.join(dir, 'cors.toml');
    fs.writeFileSync(toml, 'origins = ["https://a.example.com"]\nmax_age = 600\n');
    const json = path.join(dir, 'cors.json');
    fs.writeFileSync(json, JSON.stringify({ origins: ['https://b.example.com'] }));
    const origin = (p, o) => p.evaluate({ headers: { origin: o } }).allowed;
    assert.ok(origin(Policy.fromFile(toml), 'https://a.example.com'));
    assert.ok(origin(new Policy(json), 'https://b.example.com'));
    assert.ok(origin(Policy.fromJSON('{"origins": ["https://c.example.com"]}'), 'https://c.example.com'));
    assert.ok(origin(Policy.fromTOML('origins = ["https://d.example.com"]'), 'https://d.example.com'));
    assert.throws(() => Policy.fromFile(path.join(dir, 'missing.toml')), (e) => e.errors[0].code === 'io_error');
    assert.throws(
      () => new Policy({ origins: ['https://a.example.com/', '*'], credentials: true, maxAge: 1 }),
      (e) => {
        const codes = e.errors.map((d) => d.code).sort();
        assert.deepEqual(codes, ['origin_trailing_slash', 'unknown_key', 'wildcard_origin_mixed', 'wildcard_origin_with_credentials']);
        assert.equal(e.errors.find((d) => d.code === 'unknown_key').hint, 'did you mean `max_age`?');
        return true;
      },
    );
    const live = Policy.fromFile(toml);
    assert.throws(() => live.reconfigure({ origins: ['nope'] }), CorsgateConfigError);
    assert.ok(origin(live, 'https://a.example.com'));
    live.reconfigure(json);
    assert.ok(origin(live, 'https://b.example.com'));
    assert.ok(!origin(live, 'https://a.example.com'));
    assert.deepEqual(new Policy({ origins: [], allow_null_origin: true }).warnings.map((w) => w.code).sort(), [
      'null_origin_allowed',
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a value with a line break (hand-made request objects only) fails in setHeader as with cors', () => {
  const http = require('node:http');
  const { makeReq } = require('./harness.js');
  const cors = require('cors');
  for (const make of [cors, corsgate]) {
    for (const cacheSize of [0, 16]) {
      const mw = make === corsgate ? corsgate({ origin: true }, { cacheSize }) : cors({ origin: true });
      const req = makeReq('GET', { origin: 'https://a.example\nX-Injected: 1' });
      const res = new http.ServerResponse(req);
      assert.throws(() => mw(req, res, () => {}), { code: 'ERR_INVALID_CHAR' });
    }
  }
});
