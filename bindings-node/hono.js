'use strict';
// corsgate/hono: a drop-in for Hono's `cors()` middleware (hono 4, on Node with
// @hono/node-server or any runtime): `app.use('/api/*', cors(options))`. The Rust core's
// `hono` profile decides every header operation; JavaScript runs the origin and allowMethods
// options (strings, arrays, functions, Promises) and remembers the core's plans by the facts
// they depend on (and, for preflights that reflect the request's header list, by that list).

const native = require('./lib/native.js');
const { emitSecurityWarnings } = require('./lib/errors.js');
const { ORIGIN, REQUEST_HEADERS } = require('./lib/headers.js');
const { middleware } = require('./lib/middleware.js');
const { Policy } = require('./lib/policy.js');

const DEFAULT_METHODS = Object.freeze(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'QUERY']);

/** Reflected header lists remembered before that memo starts over. */
const LIST_MEMO_SIZE = 1024;

/** A plan from the core's `[status, statusText, phase, op, name, value, …]`. */
function toPlan(out) {
  const before = [];
  const after = [];
  for (let i = 2; i < out.length; i += 4) {
    const value = out[i + 3];
    (out[i] === 'b' ? before : after).push(out[i + 1], out[i + 2], value[0] === 'c' ? value.slice(1) : null);
  }
  return { status: Number(out[0]), statusText: out[1], before, after };
}

/** The origin option as `cors()` evaluates it: the value to send, or a falsy one. */
function originFinder(optsOrigin) {
  if (typeof optsOrigin === 'string') {
    if (optsOrigin === '*') return () => optsOrigin;
    return (origin) => (optsOrigin === origin ? origin : null);
  }
  if (typeof optsOrigin === 'function') return optsOrigin;
  return (origin) => (optsOrigin.includes(origin) ? origin : null);
}

/** Performs header operations `[op, name, value, …]` (`null` value: the origin answer). */
function perform(headers, ops, answer) {
  for (let i = 0; i < ops.length; i += 3) {
    const op = ops[i];
    const value = ops[i + 2] === null ? answer : ops[i + 2];
    if (op === 's') headers.set(ops[i + 1], value);
    else if (op === 'a') headers.append(ops[i + 1], value);
    else headers.delete(ops[i + 1]);
  }
}

/** `cors(options)`: Hono's CORS middleware, with the same answers. */
function cors(options) {
  const opts = { origin: '*', allowMethods: DEFAULT_METHODS, allowHeaders: [], exposeHeaders: [], ...options };
  const exposeHeaders = opts.exposeHeaders?.length ? opts.exposeHeaders.join(',') : undefined;
  const allowHeaders = opts.allowHeaders?.length ? opts.allowHeaders.join(',') : undefined;
  const findOrigin = originFinder(opts.origin);
  const methodsFn = typeof opts.allowMethods === 'function' ? opts.allowMethods : null;
  const policy = new native.HonoPolicy({
    originAny: opts.origin === '*',
    credentials: !!opts.credentials,
    allowMethods: methodsFn !== null ? undefined : Array.isArray(opts.allowMethods) ? opts.allowMethods.join(',') : '',
    allowHeaders,
    exposeHeaders,
    maxAge: opts.maxAge != null ? opts.maxAge.toString() : undefined,
  });
  emitSecurityWarnings(policy.warnings);
  const reflects = policy.reflects;
  const plans = [];
  const lists = [new Map(), new Map()];
  const planFor = (facts, list, methods) => {
    if (methods !== undefined) return toPlan(policy.plan(facts, list, methods));
    if (list === undefined) return plans[facts] || (plans[facts] = toPlan(policy.plan(facts)));
    const memo = lists[facts >> 1];
    let plan = memo.get(list);
    if (plan === undefined) {
      if (memo.size >= LIST_MEMO_SIZE) memo.clear();
      plan = toPlan(policy.plan(facts, list));
      memo.set(list, plan);
    }
    return plan;
  };

  return async function corsgateCors(c, next) {
    const origin = c.req.header(ORIGIN) || '';
    const answer = await findOrigin(origin, c);
    const preflight = c.req.method === 'OPTIONS';
    const facts = (preflight ? 1 : 0) | (answer ? 2 : 0);
    let methods;
    if (preflight && methodsFn !== null) methods = (await methodsFn(origin, c)).join(',');
    const list = preflight && reflects ? c.req.header(REQUEST_HEADERS) || undefined : undefined;
    const plan = planFor(facts, list, methods);
    // `c.res` only when there is something to set: creating it changes how Hono answers.
    if (plan.before.length !== 0) perform(c.res.headers, plan.before, answer);
    if (plan.status !== 0) {
      return new Response(null, { headers: c.res.headers, status: plan.status, statusText: plan.statusText });
    }
    await next();
    const after = plan.after;
    for (let i = 0; i < after.length; i += 3) c.header(after[i + 1], after[i + 2], { append: true });
    return undefined;
  };
}

/** The request as the strict middleware reads it: method, raw path, headers (lower case). */
function strictRequest(c) {
  const incoming = c.env && c.env.incoming;
  let url = incoming && typeof incoming.url === 'string' ? incoming.url : null;
  if (url === null) {
    const full = c.req.url;
    url = full.slice(full.indexOf('/', full.indexOf('//') + 2));
  }
  return { method: c.req.method, url, headers: c.req.header() };
}

/**
 * A response as the strict middleware writes it: headers recorded, `end()` noted; `own` is the
 * handler's response (its headers read, and removed where the core's rule says so when
 * `writeHead` is called), or none.
 */
function recorder(own) {
  const headers = [];
  return {
    headers,
    status: 0,
    ended: false,
    getHeader: (name) => (own ? (own.headers.get(name) ?? undefined) : undefined),
    getHeaderNames: () => (own ? [...own.headers.keys()] : []),
    removeHeader: (name) => own && own.headers.delete(name),
    setHeader(name, value) {
      headers.push(name, value);
    },
    writeHead() {},
    set statusCode(s) {
      this.status = s;
    },
    end() {
      this.ended = true;
    },
  };
}

/**
 * `app.use('*', strict(policy, { onDenied }))`: corsgate's strict engine (a `Policy`, its
 * keys, or a policy file's path) in Hono. A preflight it answers gets the core's status and
 * headers at once; any other request gets its headers on the handler's response by the core's
 * response rule (the handler's own CORS headers removed, `Vary` merged into its own; the core
 * is asked again once the handler answered).
 */
function strict(policy, settings) {
  const p = policy instanceof Policy ? policy : new Policy(policy);
  const before = middleware(p, settings);
  const after = middleware(p);
  return async function corsgateStrict(c, next) {
    const req = strictRequest(c);
    const first = recorder(null);
    let error = null;
    before(req, first, (err) => {
      if (err) error = err;
    });
    if (error !== null) throw error;
    if (first.ended) {
      const headers = new Headers();
      for (let i = 0; i < first.headers.length; i += 2) headers.set(first.headers[i], first.headers[i + 1]);
      return new Response(null, { status: first.status, headers });
    }
    await next();
    const res = c.res;
    const second = recorder(res);
    after(req, second, (err) => {
      if (err) error = err;
    });
    if (error !== null) throw error;
    second.writeHead(res.status); // the core's rule over the handler's headers (lib/write.js)
    for (let i = 0; i < second.headers.length; i += 2) res.headers.set(second.headers[i], second.headers[i + 1]);
    return undefined;
  };
}

module.exports = cors;
module.exports.cors = cors;
module.exports.default = cors;
module.exports.strict = strict;
module.exports.Policy = Policy;
