'use strict';
// corsgate/hono: a drop-in for Hono's `cors()` middleware (hono 4, on Node with
// @hono/node-server or any runtime): `app.use('/api/*', cors(options))`. The Rust core's
// `hono` profile decides every header operation; JavaScript runs the origin and allowMethods
// options (strings, arrays, functions, Promises) and remembers the core's plans by the facts
// they depend on (and, for preflights that reflect the request's header list, by that list).

const native = require('./lib/native.js');
const { emitSecurityWarnings } = require('./lib/errors.js');
const { ORIGIN, REQUEST_HEADERS } = require('./lib/headers.js');

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

module.exports = cors;
module.exports.cors = cors;
module.exports.default = cors;
