'use strict';
// The CORS middleware's time per request, corsgate/koa side by side with @koa/cors 5, on a
// minimal Koa-like context (no sockets), in the same process and run. No request repeats:
// each comes from a new tenant subdomain with its own header list.
//   node bench/koa.js [requests per round]
// Rounds alternate between the two; the median ns/request of 7 rounds is reported.
const vary = require('vary');
const peer = require('@koa/cors');
const corsgate = require('../koa.js');

const N = Number(process.argv[2] || 100000);
const ROUNDS = 7;

const TENANT = /^https:\/\/[a-z0-9-]+\.example\.com$/;
const tenant = (ctx) => (TENANT.test(ctx.get('Origin')) ? ctx.get('Origin') : false);
const SCENARIOS = [
  ['preflight, origin function + credentials', { origin: tenant, credentials: true, maxAge: 600 }, true],
  ['actual GET, origin function + credentials', { origin: tenant, credentials: true, exposeHeaders: ['x-request-id'] }, false],
  ['preflight, default options', {}, true],
  ['actual GET, default options', {}, false],
];

/** The response side: headers in an object keyed by lower-cased name, as Node keeps them. */
class Res {
  constructor() {
    this.h = {};
  }
  getHeader(name) {
    return this.h[name.toLowerCase()];
  }
  setHeader(name, value) {
    this.h[name.toLowerCase()] = value;
  }
}

/** What both middlewares use of Koa's context. */
class Ctx {
  constructor(req) {
    this.req = req;
    this.res = new Res();
    this.method = req.method;
    this.status = 404;
  }
  get(name) {
    return this.req.headers[name.toLowerCase()] || '';
  }
  set(name, value) {
    this.res.setHeader(name, typeof value === 'string' ? value : String(value));
  }
  vary(field) {
    vary(this.res, field);
  }
}

function requests(round, preflight) {
  const out = new Array(N);
  for (let i = 0; i < N; i++) {
    const headers = { origin: `https://t${round}-${i}.example.com`, accept: '*/*' };
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
  console.log(`Koa CORS middleware, ns per request (${N} new requests per round, median of ${ROUNDS} rounds)`);
  console.log('| scenario | @koa/cors | corsgate | speed-up |');
  console.log('|---|---:|---:|---:|');
  let round = 0;
  for (const [name, options, preflight] of SCENARIOS) {
    const theirs = peer(options);
    const ours = corsgate(options);
    const a = [];
    const b = [];
    for (let r = 0; r < ROUNDS + 1; r++) {
      const ta = await measure(theirs, requests(round++, preflight));
      const tb = await measure(ours, requests(round++, preflight));
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
