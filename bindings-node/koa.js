'use strict';
// corsgate/koa: a drop-in for @koa/cors 5 (`app.use(require('corsgate/koa')(options))`). The
// Rust core's `koa` profile shapes every answer; JavaScript awaits the origin and credentials
// functions and remembers the core's plans by the facts they depend on (plus the response's
// `Vary`), never by the request's strings, which the plans only refer to. `strict` runs
// corsgate's own engine.

const native = require('./lib/native.js');
const { emitSecurityWarnings } = require('./lib/errors.js');
const { Policy, middleware } = require('./index.js');
const { ORIGIN, REQUEST_METHOD, REQUEST_HEADERS, REQUEST_PRIVATE_NETWORK, existingVary, ownHeader } = require('./lib/headers.js');

/** The defaults of @koa/cors, merged under the options as it does. */
const DEFAULTS = Object.freeze({ allowMethods: 'GET,HEAD,PUT,POST,DELETE,PATCH', secureContext: false });

/** Plans remembered per response `Vary` value before that memo starts over. */
const VARY_MEMO_SIZE = 256;

/** The plan whose facts say "origin skipped": only the merged `Vary`. */
const SKIP = 0;

/** A request header as `ctx.get` reads it (`''` when absent), own properties only. */
function header(headers, name) {
  return ownHeader(headers, name) || '';
}

/** An option as @koa/cors keeps it: arrays joined with `,`; falsy values send nothing. */
function text(v) {
  const joined = Array.isArray(v) ? v.join(',') : v;
  return joined ? String(joined) : undefined;
}

/** A plan from the core's `[action, status, name, value, …]`. */
function toPlan(out) {
  const headers = [];
  for (let i = 2; i < out.length; i += 2) {
    const value = out[i + 1];
    const kind = value[0];
    headers.push(out[i], kind === 'c' ? 0 : kind === 'o' ? 1 : kind === 'h' ? 2 : 3, value.slice(1));
  }
  return { action: out[0], status: Number(out[1]), headers };
}

/** `cors(options)`: @koa/cors's middleware, with the same answers. */
function koaCors(options) {
  const o = { ...DEFAULTS, ...options };
  const originFn = typeof o.origin === 'function' ? o.origin : null;
  const credentialsFn = typeof o.credentials === 'function' ? o.credentials : null;
  const staticOrigin = o.origin || '*';
  const policy = new native.KoaPolicy({
    originFunction: originFn !== null,
    originAny: originFn === null && staticOrigin === '*',
    credentials: credentialsFn !== null || !!o.credentials,
    allowMethods: text(o.allowMethods),
    exposeHeaders: text(o.exposeHeaders),
    allowHeaders: text(o.allowHeaders),
    maxAge: o.maxAge ? String(o.maxAge) : undefined,
    keepHeadersOnError: o.keepHeadersOnError === undefined || !!o.keepHeadersOnError,
    secureContext: !!o.secureContext,
    privateNetworkAccess: !!o.privateNetworkAccess,
  });
  emitSecurityWarnings(policy.warnings);
  const plans = [];
  const byVary = new Map();
  const planFor = (facts, vary) => {
    if (vary === '') return plans[facts] || (plans[facts] = toPlan(policy.plan(facts, '')));
    let list = byVary.get(vary);
    if (list === undefined) {
      if (byVary.size >= VARY_MEMO_SIZE) byVary.clear();
      list = [];
      byVary.set(vary, list);
    }
    return list[facts] || (list[facts] = toPlan(policy.plan(facts, vary)));
  };
  const staticCredentials = credentialsFn === null ? (o.credentials ? 1 : 0) : 0;

  return async function cors(ctx, next) {
    const headers = ctx.req.headers;
    const requestOrigin = header(headers, ORIGIN);
    const vary = existingVary(ctx.res);
    // `Vary: Origin` first, before any option function runs (the first header of every plan).
    const skipped = planFor(SKIP, vary);
    ctx.set(skipped.headers[0], skipped.headers[2]);
    let origin;
    let originCode;
    if (originFn !== null) {
      origin = await originFn(ctx);
      if (!origin) return await next();
      originCode = origin === '*' ? 1 : 2;
    } else {
      origin = staticOrigin;
      originCode = origin === '*' ? 1 : 2;
    }
    let credentialsCode = staticCredentials;
    if (credentialsFn !== null) {
      const c = await credentialsFn(ctx);
      credentialsCode = c === true ? 1 : c ? 2 : 0;
    }
    const facts =
      (ctx.method === 'OPTIONS' ? 1 : 0) |
      (header(headers, REQUEST_METHOD) ? 2 : 0) |
      (header(headers, REQUEST_HEADERS) ? 4 : 0) |
      (header(headers, REQUEST_PRIVATE_NETWORK) ? 8 : 0) |
      (originCode << 4) |
      (credentialsCode << 6);
    const plan = planFor(facts, vary);
    const h = plan.headers;
    const set = plan.action === 'keep' ? {} : null;
    for (let i = 3; i < h.length; i += 3) {
      const kind = h[i + 1];
      const value =
        kind === 0 ? h[i + 2] : kind === 1 ? requestOrigin : kind === 2 ? header(headers, REQUEST_HEADERS) : origin;
      ctx.set(h[i], value);
      if (set !== null) set[h[i]] = value;
    }
    if (plan.action === 'answer') {
      ctx.status = plan.status;
      return undefined;
    }
    if (set === null) return await next();
    try {
      return await next();
    } catch (err) {
      const errHeaders = err.headers || {};
      const errorVary = native.KoaPolicy.errorVary(String(errHeaders.vary || errHeaders.Vary || ''));
      delete errHeaders.Vary;
      err.headers = { ...errHeaders, ...set, vary: errorVary };
      throw err;
    }
  };
}

/**
 * `app.use(strict(policy, { onDenied }))`: corsgate's strict engine (a `Policy`, its keys, or
 * a policy file's path) as Koa middleware: a preflight it answers ends the response.
 */
function strict(policy, settings) {
  const mw = middleware(policy, settings);
  return async function corsgateStrict(ctx, next) {
    let passed = false;
    let error = null;
    mw(ctx.req, ctx.res, (err) => {
      passed = true;
      if (err) error = err;
    });
    if (error !== null) throw error;
    if (!passed) {
      ctx.respond = false; // answered here, with the core's status and headers
      return undefined;
    }
    return await next();
  };
}

module.exports = koaCors;
module.exports.default = koaCors;
module.exports.strict = strict;
module.exports.Policy = Policy;
