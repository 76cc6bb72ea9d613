'use strict';
// Compatibility matrix: for every combination of `cors` options below and every request, the
// real `cors` package (2.8.6, a dev dependency; 2.8.5 answers the same) and corsgate's drop-in must produce the same
// status, the same header lines in the same order on the wire, and the same next() calls.
const test = require('node:test');
const assert = require('node:assert/strict');
const cors = require('cors');
const corsgate = require('..');
const { run } = require('./harness.js');

const fnError = new Error('origin callback failed');
const delegateError = new Error('delegate failed');

/** Every form the `origin` option takes. */
const ORIGINS = {
  default: undefined,
  star: '*',
  fixed: 'https://fixed.example',
  reflect: true,
  disabled: false,
  regexAnchored: /^https:\/\/a\.example$/,
  regexUnanchored: /example\.com$/,
  array: ['https://a.example', /^https:\/\/b\.example$/],
  arrayWithTrue: ['https://nope.example', true],
  arrayNested: [['https://b.example'], 'https://a.example'],
  fnTrue: (o, cb) => cb(null, true),
  fnFalse: (o, cb) => cb(null, false),
  fnString: (o, cb) => cb(null, 'https://from-fn.example'),
  fnStar: (o, cb) => cb(null, '*'),
  fnRegex: (o, cb) => cb(null, /^https:\/\/a\.example$/),
  fnArray: (o, cb) => cb(null, ['https://b.example', /a\.example$/]),
  fnError: (o, cb) => cb(fnError),
  fnUndefined: (o, cb) => cb(null),
  fnAsync: (o, cb) => setImmediate(() => cb(null, o === 'https://a.example')),
  fnThis: function (o, cb) {
    cb(null, this === undefined); // cors calls it as a plain function
  },
};

const DIMENSIONS = {
  credentials: [undefined, true],
  methods: [undefined, 'GET,POST', ['GET', 'PUT', 'patch'], []],
  allowed: [undefined, { allowedHeaders: 'x-a,x-b' }, { allowedHeaders: ['x-a', 'X-B'] }, { allowedHeaders: [] }, { headers: 'x-c' }],
  exposedHeaders: [undefined, 'x-e', ['x-e', 'x-f']],
  maxAge: [undefined, 0, '300'],
  preflightContinue: [undefined, true],
  optionsSuccessStatus: [undefined, 200],
};

/** Requests: [method, headers, preset Vary on the response]. */
const REQUESTS = [
  ['GET', {}, undefined],
  ['GET', { origin: 'https://a.example' }, undefined],
  ['POST', { origin: 'https://evil-example.com' }, 'Accept-Encoding'],
  ['OPTIONS', { origin: 'https://a.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-a,content-type' }, undefined],
  ['options', { origin: 'https://b.example', 'access-control-request-method': 'GET' }, undefined],
  ['OPTIONS', {}, undefined],
  ['OPTIONS', { origin: 'https://evil.example', 'access-control-request-headers': 'X-Foo' }, 'origin'],
  ['PUT', { origin: 'null' }, '*'],
  ['OPTIONS', { origin: 'https://a.example', 'access-control-request-method': 'DELETE' }, ['Accept', 'Origin']],
  ['DELETE', { origin: 'https://a.example' }, 'accept, access-control-request-headers'],
];

function* combinations() {
  const keys = Object.keys(DIMENSIONS);
  const walk = function* (i, acc) {
    if (i === keys.length) {
      yield acc;
      return;
    }
    for (const v of DIMENSIONS[keys[i]]) yield* walk(i + 1, { ...acc, [keys[i]]: v });
  };
  for (const [originName, origin] of Object.entries(ORIGINS)) {
    for (const combo of walk(0, {})) {
      const options = {};
      if (originName !== 'default') options.origin = origin;
      for (const [k, v] of Object.entries(combo)) {
        if (v === undefined) continue;
        if (k === 'allowed') Object.assign(options, v);
        else options[k] = v;
      }
      yield [originName, options];
    }
  }
}

function describe(originName, options, request) {
  const shown = { ...options, origin: originName };
  return `${JSON.stringify(shown)} ${JSON.stringify(request)}`;
}

function freeze(options) {
  for (const v of Object.values(options)) if (Array.isArray(v)) Object.freeze(v);
  return Object.freeze(options);
}

async function compare(mwCors, mwGate, label, failures) {
  for (const [method, headers, vary] of REQUESTS) {
    const expected = await run(mwCors, method, headers, vary);
    const actual = await run(mwGate, method, headers, vary);
    try {
      assert.deepEqual(actual, expected);
    } catch (err) {
      failures.push(`${label} ${JSON.stringify([method, headers, vary])}\n${err.message}`);
    }
  }
}

test('the drop-in answers every option x request combination exactly as cors does', async () => {
  const warnings = [];
  const onWarning = (w) => warnings.push(w);
  process.on('warning', onWarning);
  const failures = [];
  let count = 0;
  try {
    for (const [originName, options] of combinations()) {
      const frozen = freeze(options);
      const before = describe(originName, frozen, []);
      const gate = corsgate(frozen);
      await compare(cors(frozen), gate, describe(originName, frozen, []), failures);
      assert.equal(describe(originName, frozen, []), before, 'options object mutated');
      count++;
      if (failures.length > 10) break;
    }
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(failures.slice(0, 5), []);
  assert.ok(count > 10000, `only ${count} combinations`);
  assert.ok(warnings.every((w) => w.name === 'CorsgateSecurityWarning'));
});

test('options delegates: per-request options, errors and async callbacks match cors', async () => {
  const pool = [
    {},
    { origin: 'https://a.example', credentials: true },
    { origin: [/^https:\/\/a\.example$/], allowedHeaders: ['x-a'], maxAge: 0 },
    { origin: false },
    { origin: ORIGINS.fnAsync, preflightContinue: true },
    { origin: ORIGINS.fnError },
  ];
  const delegates = {
    byOrigin: (req, cb) => cb(null, pool[(req.headers.origin || '').length % pool.length]),
    byMethod: (req, cb) => setImmediate(() => cb(null, pool[req.method.length % pool.length])),
    error: (req, cb) => cb(delegateError),
    undefinedOptions: (req, cb) => cb(null, undefined),
  };
  const failures = [];
  for (const [name, delegate] of Object.entries(delegates)) {
    await compare(cors(delegate), corsgate(delegate), `delegate ${name}`, failures);
  }
  assert.deepEqual(failures, []);
});

test('cors() without options and with the options object changed by reconfigure()', async () => {
  const failures = [];
  await compare(cors(), corsgate(), 'no options', failures);
  const gate = corsgate({ origin: 'https://old.example' });
  gate.reconfigure({ origin: ['https://a.example'], credentials: true });
  await compare(cors({ origin: ['https://a.example'], credentials: true }), gate, 'reconfigured', failures);
  assert.deepEqual(failures, []);
});

test('a warm memo and an existing Vary header give the same answers as a cold core call', async () => {
  const failures = [];
  const options = { origin: /^https:\/\/a\.example$/, credentials: true };
  const cold = corsgate(options, { cacheSize: 0 });
  const warm = corsgate(options);
  for (let i = 0; i < 3; i++) await compare(cold, warm, `round ${i}`, failures);
  // A global RegExp is stateful (lastIndex): it is tested on every request, as cors does.
  for (let i = 0; i < 3; i++) {
    await compare(cors({ origin: /a\.example/g }), corsgate({ origin: /a\.example/g }), `global RegExp ${i}`, failures);
  }
  const tiny = corsgate(options, { cacheSize: 2 });
  for (let i = 0; i < 3; i++) await compare(cors(options), tiny, `tiny memo round ${i}`, failures);
  assert.deepEqual(failures, []);
});

test('without a memo, every request crosses into Rust and answers as cors does (templates reused)', async () => {
  const failures = [];
  const extras = [{}, { credentials: true, maxAge: '300' }, { allowedHeaders: 'x-a', exposedHeaders: ['x-e'] }];
  for (const [originName, origin] of Object.entries(ORIGINS)) {
    for (const extra of extras) {
      const options = originName === 'default' ? { ...extra } : { ...extra, origin };
      const cold = corsgate(options, { cacheSize: 0 });
      // The first round teaches JavaScript the core's templates, the second reuses them by id
      // (with other requests' origins and header lists filled in).
      for (let i = 0; i < 2; i++) await compare(cors(options), cold, `${originName} ${JSON.stringify(extra)} round ${i}`, failures);
    }
  }
  assert.deepEqual(failures, []);
});
