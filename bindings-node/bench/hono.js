'use strict';
// The CORS middleware's time per request, corsgate/hono side by side with hono's own cors(),
// on a minimal Hono-like context (a Fetch `Headers` response, no server), in the same process
// and run. No request repeats: each comes from a new tenant subdomain with its own header list.
//   node bench/hono.js [requests per round]
// Rounds alternate between the two; the median ns/request of 7 rounds is reported.
const { cors: peer } = require('hono/cors');
const corsgate = require('../hono.js');

const N = Number(process.argv[2] || 50000);
const ROUNDS = 7;

const TENANT = /^https:\/\/[a-z0-9-]+\.example\.com$/;
const SCENARIOS = [
  ['preflight, origin function + credentials', { origin: (o) => (TENANT.test(o) ? o : null), credentials: true, maxAge: 600 }, true],
  ['actual GET, origin function + credentials', { origin: (o) => (TENANT.test(o) ? o : null), credentials: true, exposeHeaders: ['x-request-id'] }, false],
  ['preflight, origin list, allowHeaders', { origin: ['https://app.example.com', 'https://admin.example.com'], allowHeaders: ['content-type', 'x-token'] }, true],
  ['actual GET, default options', {}, false],
];

/** What both middlewares use of Hono's context. */
class Ctx {
  constructor(req) {
    this.r = req;
    this.req = { method: req.method, header: (name) => req.headers[name.toLowerCase()] };
    this._res = null;
  }
  get res() {
    return this._res || (this._res = { headers: new Headers() });
  }
  header(name, value, options) {
    if (options && options.append) this.res.headers.append(name, value);
    else this.res.headers.set(name, value);
  }
}

function requests(round, preflight, list) {
  const out = new Array(N);
  for (let i = 0; i < N; i++) {
    const origin = list ? (i % 2 ? 'https://app.example.com' : 'https://admin.example.com') : `https://t${round}-${i}.example.com`;
    const headers = { origin };
    if (preflight) {
      headers['access-control-request-method'] = 'PUT';
      headers['access-control-request-headers'] = `content-type,x-h${i}`;
    }
    out[i] = { method: preflight ? 'OPTIONS' : 'GET', headers };
  }
  return out;
}

const next = () => Promise.resolve();

async function measure(mw, reqs) {
  const start = process.hrtime.bigint();
  const pending = new Array(reqs.length);
  for (let i = 0; i < reqs.length; i++) pending[i] = mw(new Ctx(reqs[i]), next);
  await Promise.all(pending);
  return Number(process.hrtime.bigint() - start) / reqs.length;
}

function median(list) {
  const s = [...list].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  console.log(`Hono cors() middleware, ns per request (${N} new requests per round, median of ${ROUNDS} rounds)`);
  console.log('| scenario | hono cors() | corsgate | speed-up |');
  console.log('|---|---:|---:|---:|');
  let round = 0;
  for (const [name, options, preflight] of SCENARIOS) {
    const list = Array.isArray(options.origin);
    const theirs = peer(options);
    const ours = corsgate(options);
    const a = [];
    const b = [];
    for (let r = 0; r < ROUNDS + 1; r++) {
      const ta = await measure(theirs, requests(round++, preflight, list));
      const tb = await measure(ours, requests(round++, preflight, list));
      if (r > 0) a.push(ta), b.push(tb); // the first round warms up both
    }
    const [ma, mb] = [median(a), median(b)];
    console.log(`| ${name} | ${ma.toFixed(0)} | ${mb.toFixed(0)} | ${(ma / mb).toFixed(2)}x |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
