'use strict';
// The CORS hook's time per request, corsgate/fastify side by side with @fastify/cors 11, and
// Fastify 5 end to end (fastify.inject), in the same process and run. No request repeats:
// each comes from a new allowed tenant subdomain (RegExp origin) with its own header list.
//   node bench/fastify.js [requests per round]
// Rounds alternate between the two; the median ns/request of 7 rounds is reported.
const Fastify = require('fastify');
const peer = require('@fastify/cors');
const corsgate = require('../fastify.js');

const N = Number(process.argv[2] || 100000);
const ROUNDS = 7;

const TENANT = /^https:\/\/[a-z0-9-]+\.example\.com$/;
const SCENARIOS = [
  ['preflight, RegExp origin + credentials', { origin: TENANT, credentials: true, maxAge: 600 }, true],
  ['actual GET, RegExp origin + credentials', { origin: TENANT, credentials: true, exposedHeaders: ['x-request-id'] }, false],
  ['preflight, origin list, allowedHeaders', { origin: ['https://app.example.com', TENANT], allowedHeaders: ['content-type', 'x-token'] }, true],
  ['actual GET, async origin function', { origin: async (o) => TENANT.test(o) }, false],
];

/** Requests never seen before: tenant `t<round>-<i>`, request headers `x-h<i>`. */
function requests(round, preflight) {
  const out = new Array(N);
  for (let i = 0; i < N; i++) {
    const headers = { origin: `https://t${round}-${i}.example.com`, accept: '*/*' };
    if (preflight) {
      headers['access-control-request-method'] = 'PUT';
      headers['access-control-request-headers'] = `content-type,x-h${i}`;
    }
    out[i] = { raw: { method: preflight ? 'OPTIONS' : 'GET' }, headers, routeOptions: { config: {} } };
  }
  return out;
}

/** The smallest reply the plugins use: headers in an object (lower-cased names, as Fastify). */
class Reply {
  constructor(done) {
    this.h = {};
    this.status = 200;
    this.done = done;
  }
  header(name, value) {
    this.h[name.toLowerCase()] = value;
    return this;
  }
  getHeader(name) {
    return this.h[name.toLowerCase()];
  }
  code(s) {
    this.status = s;
    return this;
  }
  send() {
    this.done();
    return this;
  }
}

/** The hook a plugin registers, taken from a stand-in Fastify instance. */
function hookOf(plugin, options) {
  let hook = null;
  const fake = {
    decorateRequest() {},
    addHook(_name, fn) {
      hook = fn;
    },
    options() {},
  };
  plugin(fake, options, (err) => {
    if (err) throw err;
  });
  return hook;
}

/** Runs `hook` on every request (a fresh reply each); resolves with ns per request. */
function measure(hook, reqs) {
  return new Promise((resolve) => {
    let pending = reqs.length;
    const start = process.hrtime.bigint();
    const done = () => {
      if (--pending === 0) resolve(Number(process.hrtime.bigint() - start) / reqs.length);
    };
    for (let i = 0; i < reqs.length; i++) hook(reqs[i], new Reply(done), done); // next() or send() ends it
  });
}

function median(list) {
  const s = [...list].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function hookTable() {
  console.log(`CORS hook, ns per request (${N} new requests per round, median of ${ROUNDS} rounds)`);
  console.log('| scenario | @fastify/cors | corsgate | speed-up |');
  console.log('|---|---:|---:|---:|');
  let round = 0;
  for (const [name, options, preflight] of SCENARIOS) {
    const theirs = hookOf(peer, options);
    const ours = hookOf(corsgate, options);
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

async function app(plugin, options) {
  const fastify = Fastify();
  fastify.register(plugin, options);
  fastify.get('/api', async () => ({ ok: true }));
  await fastify.ready();
  return fastify;
}

async function injectTable() {
  const n = Math.max(1000, Math.floor(N / 20));
  console.log(`\nFastify end to end (fastify.inject), µs per request (${n} new requests per round, median of ${ROUNDS})`);
  console.log('| scenario | @fastify/cors | corsgate | speed-up |');
  console.log('|---|---:|---:|---:|');
  let round = 1000;
  for (const [name, options, preflight] of SCENARIOS) {
    const theirs = await app(peer, options);
    const ours = await app(corsgate, options);
    const run = async (fastify) => {
      const r = round++;
      const reqs = [];
      for (let i = 0; i < n; i++) {
        const headers = { origin: `https://t${r}-${i}.example.com` };
        if (preflight) Object.assign(headers, { 'access-control-request-method': 'PUT', 'access-control-request-headers': `x-h${i}` });
        reqs.push({ method: preflight ? 'OPTIONS' : 'GET', url: '/api', headers });
      }
      const start = process.hrtime.bigint();
      for (const req of reqs) await fastify.inject(req);
      return Number(process.hrtime.bigint() - start) / n / 1000;
    };
    const a = [];
    const b = [];
    for (let r = 0; r < ROUNDS + 1; r++) {
      const ta = await run(theirs);
      const tb = await run(ours);
      if (r > 0) a.push(ta), b.push(tb);
    }
    const [ma, mb] = [median(a), median(b)];
    console.log(`| ${name} | ${ma.toFixed(2)} | ${mb.toFixed(2)} | ${(ma / mb).toFixed(2)}x |`);
    await Promise.all([theirs.close(), ours.close()]);
  }
}

hookTable()
  .then(injectTable)
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
