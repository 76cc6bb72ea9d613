'use strict';
// Every browser-checker vector (tests/vectors/browser/) through `corsgate.browser.check`.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { browser } = require('..');

const DIR = path.join(__dirname, '..', '..', 'tests', 'vectors', 'browser');

function sameError(expected, got) {
  if (expected === null) {
    assert.equal(got, null);
    return;
  }
  assert.notEqual(got, null);
  assert.equal(got.kind, expected.kind);
  if ('message' in expected) assert.equal(got.message, expected.message);
  if ('value' in expected) assert.equal(got.value, expected.value);
}

for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()) {
  const doc = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
  for (const c of doc.cases) {
    test(`${file}: ${c.name}`, () => {
      const r = c.request;
      const request = {
        origin: r.origin ?? 'https://app.example',
        url: r.url ?? 'https://api.example/data',
        method: r.method ?? 'GET',
        headers: r.headers ?? [],
        credentials: r.credentials ?? 'same-origin',
        mode: r.mode ?? 'cors',
      };
      const answers = { preflight: c.preflight ?? null, response: c.response ?? null };
      const e = c.expect;
      if ('request_error' in e) {
        assert.throws(() => browser.check(request, answers), (err) => {
          assert.ok(err instanceof browser.RequestError);
          assert.equal(err.kind, e.request_error);
          return true;
        });
        assert.throws(() => browser.check(request, answers, { browser: 'firefox' }), (err) => err.kind === e.firefox.request_error);
        return;
      }
      // Firefox's expectation: its verdict, reason, value and console lines.
      const firefox = browser.check(request, answers, { browser: 'firefox' }).browser;
      assert.equal(firefox.name, 'firefox');
      assert.equal(firefox.verdict, e.firefox.verdict);
      if (!e.firefox.error) assert.equal(firefox.error, null);
      else {
        assert.equal(firefox.error.kind, e.firefox.error.kind);
        assert.equal(firefox.error.message, e.firefox.error.message);
        assert.equal(firefox.error.value, e.firefox.error.value ?? null);
        assert.deepEqual(firefox.error.console, [e.firefox.error.message, ...(e.firefox.error.then ?? [])]);
      }
      const out = browser.check(request, answers);
      if ('verdict' in e) assert.equal(out.verdict, e.verdict);
      if ('missing' in e) assert.equal(out.missing, e.missing);
      if ('preflight_request' in e) {
        if (e.preflight_request === null) assert.equal(out.preflight_request, null);
        else {
          assert.equal(out.preflight_request.method, e.preflight_request.method);
          assert.equal(out.preflight_request.request_headers, e.preflight_request.request_headers);
        }
      }
      if ('error' in e) {
        sameError(e.error, out.blocked);
        sameError('chrome_error' in e ? e.chrome_error : e.error, out.blocked_in_chrome);
      }
      if ('cache_seconds' in e) assert.deepEqual(out.preflight.cache_seconds, e.cache_seconds);
      for (const key of ['readable_headers', 'hidden_headers', 'opaque']) {
        if (key in e) assert.deepEqual(out.response[key], e[key]);
      }
    });
  }
}

test('bad input throws a RequestError', () => {
  assert.throws(
    () => browser.check({ origin: 'https://a.example', url: 'https://b.example', credentials: 'x' }),
    (err) => err instanceof browser.RequestError && err.kind === 'invalid_input',
  );
});
