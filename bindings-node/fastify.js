'use strict';
// corsgate/fastify: a drop-in for @fastify/cors 11 (Fastify 5). The Rust core's `fastify`
// profile shapes every answer; JavaScript runs the origin option (RegExp, function, Promise)
// and the delegator, and remembers the core's plans by the facts they depend on (never by the
// request's strings, which the plans only refer to). `strict` runs corsgate's own engine.

const native = require('./lib/native.js');
const corsgate = require('./index.js');
const { CorsgateConfigError, emitSecurityWarnings } = require('./lib/errors.js');
const { RAW } = require('./lib/write.js');
const { ORIGIN, REQUEST_METHOD, REQUEST_HEADERS, VARY, ownHeader } = require('./lib/headers.js');

/** The defaults of @fastify/cors, merged under the options as it does. */
const DEFAULTS = Object.freeze({
  origin: '*',
  methods: 'GET,HEAD,POST',
  hook: 'onRequest',
  preflightContinue: false,
  optionsSuccessStatus: 204,
  credentials: false,
  exposedHeaders: null,
  allowedHeaders: null,
  maxAge: null,
  preflight: true,
  strictPreflight: true,
});

/** Hooks whose functions take the payload before `next`. */
const PAYLOAD_HOOKS = ['preSerialization', 'preParsing'];

/** Plans remembered per response `Vary` value before that memo starts over. */
const VARY_MEMO_SIZE = 256;

/** An integer `cacheControl` of the top-level options (`max-age=<n>`, formatted by the core). */
class MaxAge {
  constructor(n) {
    this.n = n;
  }
}

/** The plugin's option normalisation: defaults, `'*'` in an origin array, `cacheControl`. */
function normalize(opts, dynamic) {
  const o = { ...DEFAULTS, ...opts };
  if (Array.isArray(opts.origin) && opts.origin.indexOf('*') !== -1) o.origin = '*';
  if (Number.isInteger(o.cacheControl)) o.cacheControl = new MaxAge(o.cacheControl);
  else if (typeof o.cacheControl !== 'string') o.cacheControl = null;
  o.dynamic = dynamic || false;
  return o;
}

/** A header value as Fastify's `reply.header` stores it, as text (`undefined` is `''`). */
function text(v) {
  return v === undefined ? '' : String(v);
}

function list(v) {
  return Array.isArray(v) ? v.map((e) => (e == null ? '' : String(e))) : text(v);
}

function regexSources(origin, path, out) {
  if (origin instanceof RegExp) out.push(path, origin.source);
  else if (Array.isArray(origin)) origin.forEach((o, i) => regexSources(o, `${path}[${i}]`, out));
  return out;
}

/** The core's view of merged options. */
function coreOptions(o, hook) {
  const origin = o.origin;
  const cc = o.cacheControl;
  return {
    originType: typeof origin === 'string' ? 'string' : origin === false ? 'false' : 'other',
    originRegexes: typeof origin === 'function' ? [] : regexSources(origin, 'origin', []),
    originReflects: origin === true,
    originAny: origin === '*' || (Array.isArray(origin) && origin.indexOf('*') !== -1),
    dynamic: !!o.dynamic,
    credentials: !!o.credentials,
    methods: list(o.methods),
    allowedHeaders: o.allowedHeaders === null ? undefined : list(o.allowedHeaders),
    exposedHeaders: o.exposedHeaders === null ? undefined : list(o.exposedHeaders),
    maxAge: o.maxAge === null ? undefined : String(o.maxAge),
    cacheControl: cc instanceof MaxAge || !cc ? undefined : String(cc),
    cacheControlMaxAge: cc instanceof MaxAge ? cc.n : undefined,
    preflightContinue: !!o.preflightContinue,
    optionsSuccessStatus: Number(o.optionsSuccessStatus),
    preflight: o.preflight === true,
    strictPreflight: o.strictPreflight === true,
    hook: String(hook),
  };
}

/** `@fastify/cors`'s test of a request origin against a non-function origin value. */
function originAllowed(requestOrigin, allowed) {
  if (Array.isArray(allowed)) {
    for (let i = 0; i < allowed.length; i++) if (originAllowed(requestOrigin, allowed[i])) return true;
    return false;
  }
  if (typeof allowed === 'string') return requestOrigin === allowed;
  if (allowed instanceof RegExp) {
    allowed.lastIndex = 0;
    return allowed.test(requestOrigin);
  }
  return !!allowed;
}

/** Whether an origin value's verdict depends on the request's origin. */
function isTested(origin) {
  return origin instanceof RegExp || (Array.isArray(origin) && origin.indexOf('*') === -1);
}

/** The resolved origin option as the core's answer code (src/fastify.rs, bits 4..). */
function answerCode(resolved, requestOrigin) {
  if (resolved === false) return 1;
  if (!resolved) return 2;
  if (typeof resolved === 'string') return 3;
  if (Array.isArray(resolved) && resolved.indexOf('*') !== -1) return 4;
  return originAllowed(requestOrigin, resolved) ? 6 : 5;
}

/** The reply's `Vary` as `vary.js` reads it; undefined when falsy. */
function replyVary(reply) {
  const v = reply.getHeader(VARY);
  if (!v) return undefined;
  return Array.isArray(v) ? v.join(', ') : String(v);
}

/** A plan from the core's `[action, status, body, name, value, …]`. */
function toPlan(out) {
  const headers = [];
  let vary = false;
  for (let i = 3; i < out.length; i += 2) {
    const value = out[i + 1];
    const kind = value[0];
    if (out[i] === VARY) vary = true;
    headers.push(out[i], kind === 'c' ? 0 : kind === 'o' ? 1 : kind === 'h' ? 2 : 3, value.slice(1));
  }
  return { action: out[0], status: Number(out[1]), body: out[2], headers, vary };
}

function configError(errors, warnings, what) {
  const hook = errors.find((e) => e.code === 'invalid_hook');
  return hook ? new TypeError(hook.message) : new CorsgateConfigError(errors, warnings, what);
}

/** Compiled options with their plans, remembered by the request's facts. */
class Compiled {
  constructor(options, hook) {
    this.origin = options.origin;
    this.originFn = typeof options.origin === 'function' ? options.origin : null;
    // The answer code of an origin that is not tested per request (0: a RegExp or an array).
    this.code = this.originFn || isTested(options.origin) ? 0 : answerCode(options.origin, undefined);
    this.policy = new native.FastifyPolicy(coreOptions(options, hook));
    this.errors = this.policy.errors;
    this.warnings = this.policy.warnings;
    this.plans = [];
    this.byVary = new Map();
  }

  /** The plan for `facts` and the reply's `Vary`. */
  plan(facts, reply) {
    let plan = this.plans[facts];
    if (plan === undefined) plan = this.plans[facts] = toPlan(this.policy.plan(facts));
    if (!plan.vary) return plan;
    const vary = replyVary(reply);
    if (vary === undefined) return plan;
    let plans = this.byVary.get(vary);
    if (plans === undefined) {
      if (this.byVary.size >= VARY_MEMO_SIZE) this.byVary.clear();
      plans = [];
      this.byVary.set(vary, plans);
    }
    return plans[facts] || (plans[facts] = toPlan(this.policy.plan(facts, vary)));
  }
}

/** The facts of a request, without the origin answer (src/fastify.rs). */
function requestFacts(req, headers) {
  return (
    (req.raw.method === 'OPTIONS' ? 1 : 0) |
    (ownHeader(headers, ORIGIN) ? 2 : 0) |
    (ownHeader(headers, REQUEST_METHOD) ? 4 : 0) |
    (ownHeader(headers, REQUEST_HEADERS) !== undefined ? 8 : 0)
  );
}

/** Sets the plan's headers and does what it says; `value` is the origin answer's string. */
function apply(plan, req, reply, next, headers, value, error) {
  const h = plan.headers;
  for (let i = 0; i < h.length; i += 3) {
    const kind = h[i + 1];
    reply.header(
      h[i],
      kind === 0
        ? h[i + 2]
        : kind === 1
          ? headers[ORIGIN]
          : kind === 2
            ? headers[REQUEST_HEADERS]
            : value,
    );
  }
  switch (plan.action) {
    case 'next':
      return next();
    case 'preflight':
      req.corsPreflightEnabled = true;
      return next();
    case 'answer':
      req.corsPreflightEnabled = true;
      reply.code(plan.status).send();
      return undefined;
    case 'bad':
      reply.code(plan.status).send(plan.body);
      return undefined;
    case 'invalid':
      return next(new Error(plan.body));
    default:
      return next(error);
  }
}

/**
 * Resolves the origin option as the plugin does (a function is called with the Fastify
 * instance as `this`, its callback or promise awaited) and hands over `(code, value, error)`.
 */
function resolveOrigin(fastify, origin, requestOrigin, done) {
  if (typeof origin !== 'function') {
    done(answerCode(origin, requestOrigin), origin, undefined);
    return;
  }
  const cb = (error, resolved) => {
    if (error !== null) done(0, undefined, error);
    else done(answerCode(resolved, requestOrigin), resolved, undefined);
  };
  const result = origin.call(fastify, requestOrigin, cb);
  if (result && typeof result.then === 'function') result.then((res) => cb(null, res), cb);
}

/** The route's `config.cors` merged over `options`, compiled once per route. */
function routeCompiled(cache, options, hook, routeCors) {
  let c = cache.get(routeCors);
  if (c === undefined) {
    c = new Compiled({ ...options, ...routeCors }, hook);
    if (c.errors.length) throw configError(c.errors, c.warnings, 'config.cors of the route');
    emitSecurityWarnings(c.warnings);
    cache.set(routeCors, c);
  }
  return c;
}

/** The hook body for compiled options. */
function handle(fastify, c, req, reply, next) {
  const headers = req.headers;
  const facts = requestFacts(req, headers);
  const origin = c.origin;
  if (c.originFn === null) {
    const code = c.code !== 0 ? c.code : answerCode(origin, ownHeader(headers, ORIGIN));
    return apply(c.plan(facts | (code << 4), reply), req, reply, next, headers, origin, undefined);
  }
  resolveOrigin(fastify, origin, ownHeader(headers, ORIGIN), (code, value, error) => {
    apply(c.plan(facts | (code << 4), reply), req, reply, next, headers, value, error);
  });
  return undefined;
}

/** The hook body for options a delegator returned (compiled with the request, in one call). */
function handleOnce(fastify, options, req, reply, next) {
  const routeCors = routeCorsOf(req);
  if (routeCors === false) return next();
  const merged = routeCors === undefined ? options : { ...options, ...routeCors };
  const headers = req.headers;
  const facts = requestFacts(req, headers);
  resolveOrigin(fastify, merged.origin, ownHeader(headers, ORIGIN), (code, value, error) => {
    const out = native.FastifyPolicy.planOnce(coreOptions(merged, 'onRequest'), facts | (code << 4), replyVary(reply));
    if (typeof out[0] !== 'string') {
      next(new CorsgateConfigError(out, [], 'CORS options returned by the delegator'));
      return;
    }
    apply(toPlan(out), req, reply, next, headers, value, error);
  });
  return undefined;
}

/** The route's `config.cors`: `false`, an object to merge, or undefined. */
function routeCorsOf(req) {
  const config = req.routeOptions.config;
  const cors = config == null ? undefined : config.cors;
  if (cors === false) return false;
  return cors !== null && typeof cors === 'object' ? cors : undefined;
}

function addHook(fastify, hook, body) {
  if (PAYLOAD_HOOKS.indexOf(hook) !== -1) {
    fastify.addHook(hook, function handleCors(req, reply, _payload, next) {
      body(req, reply, next);
    });
  } else {
    fastify.addHook(hook, function handleCors(req, reply, next) {
      body(req, reply, next);
    });
  }
}

/** Registers the hook of a delegator (a callback when it takes two arguments, else a Promise). */
function delegatorHook(resolver, fastify, opts, next) {
  const hook = (opts && opts.hook) || DEFAULTS.hook;
  const check = new native.FastifyPolicy(coreOptions(normalize({}), hook));
  if (check.errors.length) {
    next(configError(check.errors, [], 'CORS options'));
    return false;
  }
  if (resolver.length === 2) {
    addHook(fastify, hook, (req, reply, next) => {
      resolver(req, (err, options) => {
        if (err) next(err);
        else handleOnce(fastify, normalize(options, true), req, reply, next);
      });
    });
  } else {
    addHook(fastify, hook, (req, reply, next) => {
      const ret = resolver(req);
      if (ret && typeof ret.then === 'function') {
        ret.then((options) => handleOnce(fastify, normalize(options, true), req, reply, next)).catch(next);
        return;
      }
      next(new Error(native.FastifyPolicy.invalidOriginMessage()));
    });
  }
  return true;
}

/** `fastify.register(require('corsgate/fastify'), options)`: @fastify/cors's plugin. */
function fastifyCors(fastify, opts, next) {
  fastify.decorateRequest('corsPreflightEnabled', false);
  if (typeof opts === 'function') {
    if (!delegatorHook(opts, fastify, { hook: DEFAULTS.hook }, next)) return;
  } else if (opts.delegator) {
    const { delegator, ...options } = opts;
    if (!delegatorHook(delegator, fastify, options, next)) return;
  } else {
    const options = normalize(opts);
    const hook = options.hook;
    const c = new Compiled(options, hook);
    if (c.errors.length) {
      next(configError(c.errors, c.warnings, 'CORS options'));
      return;
    }
    emitSecurityWarnings(c.warnings);
    const routes = new WeakMap();
    addHook(fastify, hook, (req, reply, next) => {
      const routeCors = routeCorsOf(req);
      if (routeCors === false) return next();
      let compiled = c;
      if (routeCors !== undefined) {
        try {
          compiled = routeCompiled(routes, options, hook, routeCors);
        } catch (err) {
          return next(err);
        }
      }
      return handle(fastify, compiled, req, reply, next);
    });
  }
  preflightRoute(fastify, opts);
  next();
}

/**
 * The `OPTIONS *` route the plugin adds so that Fastify routes preflights (answered in the
 * hook); a preflight for which CORS is off is not found.
 */
function preflightRoute(fastify, opts) {
  const hide = opts.hideOptionsRoute !== undefined ? opts.hideOptionsRoute : true;
  fastify.options('*', { schema: { hide }, logLevel: opts.logLevel }, (req, reply) => {
    if (!req.corsPreflightEnabled) {
      reply.callNotFound();
      return;
    }
    reply.send();
  });
}

/**
 * `fastify.register(strict, { policy, onDenied })`: corsgate's strict engine (a `Policy`, its
 * keys, or a policy file's path) in an `onRequest` hook.
 */
function strict(fastify, opts, next) {
  const mw = corsgate.middleware(opts.policy, { onDenied: opts.onDenied });
  fastify.addHook('onRequest', function corsgate(req, reply, done) {
    const res = {
      [RAW]: reply.raw, // the strict rule runs when Fastify writes its head there
      getHeader: (name) => reply.getHeader(name),
      setHeader: (name, value) => reply.header(name, value),
      set statusCode(status) {
        reply.code(status);
      },
      end: () => reply.send(),
    };
    mw(req.raw, res, done);
  });
  next();
}

/** Marks a function as a Fastify plugin that shares its context (as fastify-plugin does). */
function plugin(fn, name) {
  fn[Symbol.for('skip-override')] = true;
  fn[Symbol.for('fastify.display-name')] = name;
  fn[Symbol.for('plugin-meta')] = { fastify: '5.x', name };
  return fn;
}

plugin(fastifyCors, '@fastify/cors');
plugin(strict, 'corsgate-strict');

module.exports = fastifyCors;
module.exports.default = fastifyCors;
module.exports.fastifyCors = fastifyCors;
module.exports.strict = strict;
module.exports.Policy = corsgate.Policy;
module.exports.CorsgateConfigError = CorsgateConfigError;
