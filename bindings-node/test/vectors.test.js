'use strict';
// Every shared vector (tests/vectors/requests, invalid, warnings) through the Node API:
// `new Policy(...)`, `Policy.fromTOML(...)` and `policy.evaluate(...)`.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Policy, CorsgateConfigError } = require('..');

const VECTORS = path.join(__dirname, '..', '..', 'tests', 'vectors');

function files(dir) {
  const full = path.join(VECTORS, dir);
  return fs
    .readdirSync(full)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(fs.readFileSync(path.join(full, f), 'utf8'))]);
}

/** A header value: a string, or `{repeat, times, prefix, suffix}`. */
function value(v) {
  if (typeof v === 'string') return v;
  return (v.prefix || '') + v.repeat.repeat(v.times) + (v.suffix || '');
}

function compile(c) {
  return c.policy_toml !== undefined ? Policy.fromTOML(c.policy_toml) : new Policy(c.policy);
}

const lower = (headers) => headers.map(([n, v]) => [n.toLowerCase(), v]);
const pathsAndCodes = (list) => list.map((d) => `${d.path} ${d.code}`).sort();

for (const [file, doc] of files('requests')) {
  test(`requests/${file}`, async (t) => {
    for (const c of doc.cases) {
      await t.test(c.name, () => {
        const policy = compile(c);
        const r = c.request;
        const d = policy.evaluate({
          method: r.method,
          path: r.path === undefined ? '/' : r.path,
          headers: r.headers.map(([n, v]) => [n, value(v)]),
        });
        const e = c.expect;
        assert.equal(d.kind, e.kind);
        assert.equal(d.allowed, e.allowed);
        assert.equal(d.status, e.status);
        assert.deepEqual(lower(d.headers), lower(e.headers));
        assert.deepEqual(d.vary, e.vary);
        assert.equal(d.reason === null ? null : d.reason.code, e.reason);
        if (d.reason !== null) {
          assert.ok(d.reason.message.length > 0);
          assert.match(d.reason.browserReason, /Access-Control-Allow-Origin/);
        }
      });
    }
  });
}

for (const [file, doc] of files('invalid')) {
  test(`invalid/${file}`, async (t) => {
    for (const c of doc.cases) {
      await t.test(c.name, () => {
        assert.throws(
          () => compile(c),
          (err) => {
            assert.ok(err instanceof CorsgateConfigError);
            assert.deepEqual(pathsAndCodes(err.errors), pathsAndCodes(c.errors));
            for (const d of err.errors) assert.ok(d.message.length > 0);
            return true;
          },
        );
      });
    }
  });
}

for (const [file, doc] of files('warnings')) {
  test(`warnings/${file}`, async (t) => {
    for (const c of doc.cases) {
      await t.test(c.name, () => {
        const policy = compile(c);
        assert.deepEqual(pathsAndCodes(policy.warnings), pathsAndCodes(c.warnings));
      });
    }
  });
}
