'use strict';
// Middleware time per request, corsgate's drop-in side by side with the `cors` package, on
// plain req/res objects (no sockets), in the same process and run.
//   node bench/middleware.js [iterations]
// Rounds alternate between the two; the median ns/request of 7 rounds is reported. A second
// table compares the strict `middleware(policy)` with `cors` on the same requests. After the
// middleware, the application ends the response (the strict middleware writes its headers
// then).
const cors = require('cors');
const corsgate = require('..');

const ITERATIONS = Number(process.argv[2] || 300000);
const ROUNDS = 7;

/**
 * The smallest response object the middleware contract needs: a `Map` of the header names as
 * given (both middlewares write and read each name in one spelling, so no case folding is
 * needed), so that the numbers are the middlewares' own time rather than the response's.
 */
class Res {
  constructor() {
    this.headers = new Map();
    this.statusCode = 200;
    this.headersSent = false;
    this.ended = false;
  }
  setHeader(name, value) {
    this.headers.set(name, value);
  }
  getHeader(name) {
    return this.headers.get(name);
  }
  getHeaderNames() {
    return [...this.headers.keys()];
  }
  removeHeader(name) {
    this.headers.delete(name);
  }
  writeHead(status) {
    this.statusCode = status;
    this.headersSent = true;
  }
  /** Writes the head first when nothing did, as `ServerResponse` does. */
  end() {
    if (!this.headersSent) this.writeHead(this.statusCode);
    this.ended = true;
  }
}

const preflight = {
  method: 'OPTIONS',
  headers: {
    origin: 'https://app.example.com',
    'access-control-request-method': 'PUT',
    'access-control-request-headers': 'content-type,x-token',
  },
};
const actual = { method: 'GET', headers: { origin: 'https://app.example.com', accept: '*/*' } };

const realistic = {
  origin: ['https://app.example.com', 'https://admin.example.com'],
  credentials: true,
  allowedHeaders: ['content-type', 'x-token'],
  exposedHeaders: ['x-request-id'],
  maxAge: 600,
};

/** The strict policy equivalent to `realistic` (PUT is not among the strict default methods). */
const strictRealistic = {
  origins: ['https://app.example.com', 'https://admin.example.com'],
  credentials: true,
  methods: ['PUT', 'PATCH', 'DELETE'],
  request_headers: ['content-type', 'x-token'],
  expose_headers: ['x-request-id'],
  max_age: 600,
};

const STRICT_SCENARIOS = [
  ['preflight, origin list + credentials', realistic, strictRealistic, preflight],
  ['actual GET, origin list + credentials', realistic, strictRealistic, actual],
];

const SCENARIOS = [
  ['preflight, default options', {}, preflight],
  ['preflight, origin list + credentials', realistic, preflight],
  ['preflight, RegExp origin', { origin: /^https:\/\/[a-z]+\.example\.com$/ }, preflight],
  ['actual GET, default options', {}, actual],
  ['actual GET, origin list + credentials', realistic, actual],
  ['actual GET, RegExp origin', { origin: /^https:\/\/[a-z]+\.example\.com$/ }, actual],
];

/** A tenant RegExp origin: every subdomain of example.com. */
const TENANTS = /^https:\/\/[a-z0-9-]+\.example\.com$/;

/** `ITERATIONS` requests, none repeated: each from a new subdomain, with its own header list. */
function fresh(method) {
  const out = new Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const headers = { origin: `https://t${i}.example.com`, accept: '*/*' };
    if (method === 'OPTIONS') {
      headers['access-control-request-method'] = 'PUT';
      headers['access-control-request-headers'] = `content-type,x-tenant-${i}`;
    }
    out[i] = { method, headers };
  }
  return out;
}

const FRESH_SCENARIOS = [
  ['preflight, RegExp origin, reflected headers', { origin: TENANTS, credentials: true }, fresh('OPTIONS')],
  ['preflight, RegExp origin, allowedHeaders', { origin: TENANTS, credentials: true, allowedHeaders: ['content-type', 'x-token'], maxAge: 600 }, fresh('OPTIONS')],
  ['actual GET, RegExp origin', { origin: TENANTS, credentials: true, exposedHeaders: ['x-request-id'] }, fresh('GET')],
];

/** `req`: one request, repeated; or an array of `ITERATIONS` requests, each used once. */
function measure(mw, req) {
  let nexts = 0;
  const next = () => {
    nexts++;
  };
  const many = Array.isArray(req);
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    const res = new Res();
    mw(many ? req[i] : req, res, next);
    if (!res.ended) res.end(); // the application answers
  }
  const ns = Number(process.hrtime.bigint() - start) / ITERATIONS;
  if (nexts !== 0 && nexts !== ITERATIONS) throw new Error('inconsistent next() calls');
  return ns;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ns/request of each contender, rounds alternating between them. */
function race(contenders, req) {
  const times = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (const k of Object.keys(contenders)) measure(contenders[k], req); // warm-up
  for (let r = 0; r < ROUNDS; r++) for (const k of Object.keys(contenders)) times[k].push(measure(contenders[k], req));
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

const rows = [];
for (const [name, options, req] of SCENARIOS) {
  const m = race(
    {
      cors: cors(options),
      corsgate: corsgate(options),
      'corsgate, memo off': corsgate(options, { cacheSize: 0 }),
    },
    req,
  );
  rows.push([name, m.cors, m.corsgate, m['corsgate, memo off']]);
}

const freshRows = [];
for (const [name, options, reqs] of FRESH_SCENARIOS) {
  const m = race({ cors: cors(options), corsgate: corsgate(options) }, reqs);
  freshRows.push([name, m.cors, m.corsgate]);
}

const strictRows = [];
for (const [name, options, policy, req] of STRICT_SCENARIOS) {
  const m = race({ cors: cors(options), strict: corsgate.middleware(policy) }, req);
  strictRows.push([name, m.cors, m.strict]);
}

console.log(`node ${process.version}, ${ITERATIONS} requests x ${ROUNDS} rounds, median ns/request`);
console.log('| scenario | cors | corsgate | speed-up | corsgate, memo off | speed-up |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name, c, g, off] of rows) {
  console.log(`| ${name} | ${c.toFixed(0)} | ${g.toFixed(0)} | ${(c / g).toFixed(2)}x | ${off.toFixed(0)} | ${(c / off).toFixed(2)}x |`);
}
console.log('');
console.log('| no request repeated (a new subdomain and header list each) | cors | corsgate | speed-up |');
console.log('|---|---:|---:|---:|');
for (const [name, c, g] of freshRows) {
  console.log(`| ${name} | ${c.toFixed(0)} | ${g.toFixed(0)} | ${(c / g).toFixed(2)}x |`);
}
console.log('');
console.log('| scenario (strict policy) | cors | corsgate.middleware(policy) | speed-up |');
console.log('|---|---:|---:|---:|');
for (const [name, c, s] of strictRows) {
  console.log(`| ${name} | ${c.toFixed(0)} | ${s.toFixed(0)} | ${(c / s).toFixed(2)}x |`);
}
