'use strict';
// corsgate for Node.js. The default export is a drop-in for the `cors` package (2.8.x); the
// Rust core's `express` profile decides every answer. JavaScript only runs what is
// JavaScript's: RegExp/array/function origins and the options delegate. Each request crosses
// into Rust at most once, and not at all when the same inputs were answered before (a bounded
// memo of the core's plans, keyed by every input the core reads).

const native = require('./lib/native.js');

/** The defaults of the `cors` package, merged under the options as it does. */
const DEFAULTS = Object.freeze({
  origin: '*',
  methods: 'GET,HEAD,PUT,PATCH,POST,DELETE',
  preflightContinue: false,
  optionsSuccessStatus: 204,
});

/** Plans remembered per middleware before the memo starts over. */
const DEFAULT_CACHE_SIZE = 1024;

/** Thrown for a configuration that cannot work; `.errors` lists every problem. */
class CorsgateConfigError extends Error {
  constructor(errors, warnings, what) {
    const lines = errors.map((e) => `\n  ${formatDiagnostic(e)}`).join('');
    const n = errors.length;
    super(`invalid ${what} (${n} problem${n === 1 ? '' : 's'})${lines}`);
    this.name = 'CorsgateConfigError';
    this.errors = errors.map(plainDiagnostic);
    this.warnings = (warnings || []).map(plainDiagnostic);
  }
}

function plainDiagnostic(d) {
  return { path: d.path, code: d.code, message: d.message, hint: d.hint == null ? null : d.hint };
}

function formatDiagnostic(d) {
  const where = d.path ? `${d.path}: ` : '';
  const hint = d.hint ? ` (hint: ${d.hint})` : '';
  return `${where}${d.message} [${d.code}]${hint}`;
}

function emitSecurityWarnings(warnings) {
  if (warnings.length === 0) return;
  const message = warnings.map(formatDiagnostic).join('\n');
  process.emitWarning(message, {
    type: 'CorsgateSecurityWarning',
    code: `CORSGATE_${warnings[0].code.toUpperCase()}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Reading `cors` options (the package's coercions, so the core sees what `cors` would send).

function isString(v) {
  return typeof v === 'string' || v instanceof String;
}

/** `Array.prototype.join` applies `String()` to each element, `''` for null/undefined. */
function elements(list) {
  const out = new Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = list[i] == null ? '' : String(list[i]);
  return out;
}

/** A list option that `cors` sends when its value (after joining) has a length. */
function listOption(v) {
  if (Array.isArray(v)) return elements(v);
  if (typeof v.join === 'function') return String(v.join(','));
  if (isString(v)) return String(v);
  return v.length ? String(v) : '';
}

/** `methods`: sent as is when not joinable (a number is sent as its string). */
function methodsOption(v) {
  if (v == null) return undefined; // `cors` throws on every preflight: a config error here
  if (!v) return '';
  if (Array.isArray(v)) return elements(v);
  if (typeof v.join === 'function') return String(v.join(','));
  return String(v);
}

function statusOption(s) {
  if (typeof s === 'number') return s;
  if (isString(s) && String(s).trim() !== '') return Number(s);
  return undefined;
}

/** Collects the RegExps of an origin option with their paths, for the core's lint. */
function regexSources(origin, path, out) {
  if (origin instanceof RegExp) {
    out.push(path, origin.source);
  } else if (Array.isArray(origin)) {
    origin.forEach((o, i) => regexSources(o, `${path}[${i}]`, out));
  }
  return out;
}

/** Classifies a non-function `origin` as the core's profile knows it. */
function originKind(origin) {
  if (!origin) return 'disabled';
  if (origin === '*') return 'any';
  if (isString(origin)) return 'fixed';
  if (origin instanceof RegExp || Array.isArray(origin)) return 'dynamic';
  return 'reflect';
}

/** The core's view of merged options (`Object.assign({}, DEFAULTS, options)`). */
function coreOptions(o) {
  const fn = typeof o.origin === 'function' && o.origin;
  const kind = fn ? 'dynamic' : originKind(o.origin);
  const allowed = o.allowedHeaders || o.headers;
  const maxAge = typeof o.maxAge === 'number' || o.maxAge ? String(o.maxAge.toString()) : '';
  return {
    originKind: kind,
    originValue: kind === 'fixed' ? String(o.origin) : undefined,
    originRegexes: fn ? [] : regexSources(o.origin, 'origin', []),
    methods: methodsOption(o.methods),
    allowedHeaders: allowed ? listOption(allowed) : undefined,
    exposedHeaders: o.exposedHeaders ? listOption(o.exposedHeaders) : undefined,
    credentials: o.credentials === true,
    maxAge: maxAge || undefined,
    preflightContinue: !!o.preflightContinue,
    optionsSuccessStatus: statusOption(o.optionsSuccessStatus),
  };
}

/** Whether `origin` (a RegExp, string, array of those, or anything else) allows `requestOrigin`. */
function originAllowed(allowed, requestOrigin) {
  if (Array.isArray(allowed)) return allowed.some((entry) => originAllowed(entry, requestOrigin));
  if (isString(allowed)) return requestOrigin === String(allowed);
  if (allowed instanceof RegExp) return allowed.test(requestOrigin);
  return !!allowed;
}

/** What an origin function answered, as the core takes it: a string, or a verdict. */
function answerOf(value, requestOrigin) {
  if (isString(value)) return String(value);
  return originAllowed(value, requestOrigin);
}

// ---------------------------------------------------------------------------------------------
// Applying the core's plan: `[status, name, value, …]` with status '' (next) or digits.

function stringOrUndefined(v) {
  return typeof v === 'string' ? v : undefined;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A request header as the request itself carries it: an own property of `req.headers` only,
 * so that a polluted `Object.prototype.origin` cannot make up an Origin.
 */
function ownHeader(headers, name) {
  return headers != null && hasOwn.call(headers, name) ? headers[name] : undefined;
}

/** The response's `Vary` as the `vary` package reads it; '' when unset. */
function existingVary(res) {
  const v = res.getHeader('Vary') || '';
  return Array.isArray(v) ? v.join(', ') : String(v);
}

/** The core's answer: a `\n`-separated string (or, rarely, already an array). */
function unpack(out) {
  return typeof out === 'string' ? out.split('\n') : out;
}

function toPlan(packed) {
  const out = unpack(packed);
  out[0] = out[0] === '' ? 0 : Number(out[0]);
  let vary = false;
  for (let i = 1; i < out.length; i += 2) if (out[i] === 'Vary') vary = true;
  out.vary = vary;
  return out;
}

/**
 * A template the core sent once (`#id\nstatus\n[fields\n]name\nKvalue…`, see
 * src/evaluator.rs; `head` counts the status and the fields: 1 for the `cors` profile, 3 for
 * the strict one, whose fields are the reason code and message): the plan with, for each value
 * that is one of the request's strings, its index and which string (0 origin, 1 request
 * headers, 2 the origin function's answer or, strict, the requested method).
 */
function parseTemplate(text, head) {
  const fields = text.split('\n');
  const plan = [fields[1] === '' ? 0 : Number(fields[1])];
  for (let i = 2; i <= head; i++) plan.push(fields[i]);
  const refs = [];
  let vary = false;
  for (let i = head + 1; i < fields.length; i += 2) {
    const name = fields[i];
    const value = fields[i + 1];
    if (name === 'Vary') vary = true;
    plan.push(name, value.slice(1));
    const kind = value[0];
    if (kind !== 'c') refs.push(plan.length - 1, kind === 'o' ? 0 : kind === 'h' ? 1 : 2);
  }
  plan.vary = vary;
  return { id: Number(fields[0].slice(1)), plan, refs };
}

/** A template's plan for one request: shared when it refers to none of its strings. */
function fill(template, origin, acrh, third) {
  const refs = template.refs;
  if (refs.length === 0) return template.plan;
  const plan = template.plan.slice();
  plan.vary = template.plan.vary;
  for (let i = 0; i < refs.length; i += 2) {
    const which = refs[i + 1];
    plan[refs[i]] = which === 0 ? origin : which === 1 ? acrh : third;
  }
  return plan;
}

function applyPlan(plan, res, next) {
  for (let i = 1; i < plan.length; i += 2) res.setHeader(plan[i], plan[i + 1]);
  if (plan[0] !== 0) {
    res.statusCode = plan[0];
    res.end();
  } else {
    next();
  }
}

/** The memo key of a verdict that is a pure function of the origin (computed on a miss). */
const PURE = Symbol('pure origin verdict');

/**
 * Whether testing `origin` against a request origin always gives the same verdict: strings,
 * RegExps without the stateful `g`/`y` flags, arrays of those, constants.
 */
function isPure(origin) {
  if (origin instanceof RegExp) return !origin.global && !origin.sticky;
  if (Array.isArray(origin)) return origin.every(isPure);
  return true;
}

/** A copy of an origin array (read once, like every option); RegExps and strings as they are. */
function copyOrigin(origin) {
  return Array.isArray(origin) ? origin.map(copyOrigin) : origin;
}

/** An origin answer as `evaluate` takes it: [verdict code, string]. */
function verdictCode(answer) {
  if (answer === undefined) return 0;
  if (answer === false) return 1;
  if (answer === true) return 2;
  return 3;
}

function answerString(answer) {
  return typeof answer === 'string' ? answer : undefined;
}

/** A compiled static configuration with its memo of plans. */
class Compiled {
  constructor(options, cacheSize) {
    const merged = Object.assign({}, DEFAULTS, options);
    this.originFn = typeof merged.origin === 'function' ? merged.origin : null;
    this.policy = new native.ExpressPolicy(coreOptions(merged));
    const errors = this.policy.errors;
    if (errors.length) throw new CorsgateConfigError(errors, this.policy.warnings, 'cors options');
    // The core's answer to one request: a template id, a new template, or the whole plan.
    this.evaluate = this.policy.evaluator();
    this.templates = [];
    this.warnings = this.policy.warnings.map(plainDiagnostic);
    this.dynamic = this.policy.dynamic && !this.originFn;
    this.origin = copyOrigin(merged.origin);
    this.pure = this.dynamic && isPure(this.origin);
    this.disabled = !merged.origin;
    this.cacheSize = cacheSize;
    this.size = 0;
    // origin -> [[method, request headers, answer, plan], ...]
    this.cache = new Map();
  }

  /** The origin verdict to hand to the core (`PURE` is computed now). */
  verdict(answer, origin) {
    return answer === PURE ? originAllowed(this.origin, origin) : answer;
  }

  /** The core's plan for these inputs (one call into Rust); `v` is the origin verdict. */
  ask(method, origin, acrh, vary, v) {
    const answer = answerString(v);
    const out = this.evaluate(method, origin, acrh, vary, verdictCode(v), answer);
    if (typeof out === 'number') return fill(this.templates[out], origin, acrh, answer);
    if (typeof out === 'string' && out[0] === '#') {
      const template = parseTemplate(out, 1);
      this.templates[template.id] = template;
      return fill(template, origin, acrh, answer);
    }
    return toPlan(out);
  }

  /** The plan for these inputs, from the memo or the core (one call). */
  plan(method, origin, acrh, answer) {
    let entries = this.cache.get(origin);
    if (entries !== undefined) {
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (e[0] === method && e[1] === acrh && e[2] === answer) return e[3];
      }
    }
    const plan = this.ask(method, origin, acrh, undefined, this.verdict(answer, origin));
    if (this.cacheSize === 0) return plan;
    if (this.size >= this.cacheSize) {
      this.cache.clear();
      this.size = 0;
      entries = undefined;
    }
    if (entries === undefined) {
      entries = [];
      this.cache.set(origin, entries);
    }
    entries.push([method, acrh, answer, plan]);
    this.size++;
    return plan;
  }

  handle(req, res, next, answer) {
    let plan;
    try {
      plan = this.planFor(req, res, answer);
    } catch (err) {
      next(err); // the addon failed (an internal error): Express answers 500
      return;
    }
    applyPlan(plan, res, next);
  }

  /** The plan for a request (from the memo or the core), merged with the response's Vary. */
  planFor(req, res, answer) {
    const method = typeof req.method === 'string' ? req.method : '';
    const headers = req.headers;
    const origin = stringOrUndefined(ownHeader(headers, 'origin'));
    const acrh = stringOrUndefined(ownHeader(headers, 'access-control-request-headers'));
    const plan = this.plan(method, origin, acrh, answer);
    if (plan.vary) {
      const vary = existingVary(res);
      if (vary !== '') return this.ask(method, origin, acrh, vary, this.verdict(answer, origin));
    }
    return plan;
  }
}

/** Options that came from a delegate: compiled and evaluated in one call, per request. */
function handleOnce(options, req, res, next) {
  const merged = Object.assign({}, DEFAULTS, options);
  const run = (answer) => {
    const method = typeof req.method === 'string' ? req.method : '';
    const headers = req.headers;
    const out = native.ExpressPolicy.evaluateOnce(
      coreOptions(merged),
      method,
      stringOrUndefined(ownHeader(headers, 'origin')),
      stringOrUndefined(ownHeader(headers, 'access-control-request-headers')),
      existingVary(res) || undefined,
      verdictCode(answer),
      answerString(answer),
    );
    if (Array.isArray(out) && out.length > 0 && typeof out[0] !== 'string') {
      next(new CorsgateConfigError(out, [], 'cors options returned by the delegate'));
      return;
    }
    applyPlan(toPlan(out), res, next);
  };
  withOrigin(merged.origin, req, next, run);
}

/**
 * Runs the origin option the way `cors` does: a falsy origin skips CORS (`next()`); a
 * function is asked (an error or a falsy answer: `next(err)`); a RegExp or an array is tested.
 */
function withOrigin(origin, req, next, run) {
  if (!origin) {
    next();
  } else if (typeof origin === 'function') {
    const requestOrigin = ownHeader(req.headers, 'origin');
    origin(requestOrigin, (err, value) => {
      if (err || !value) next(err);
      else run(answerOf(value, requestOrigin));
    });
  } else if (origin instanceof RegExp || Array.isArray(origin)) {
    run(originAllowed(origin, ownHeader(req.headers, 'origin')));
  } else {
    run(undefined);
  }
}

/**
 * The `cors` middleware: `cors(options)` or `cors(delegate)`, with the same answers.
 * `settings.cacheSize` bounds the memo of plans (0 disables it).
 */
function cors(options, settings) {
  const cacheSize =
    settings && Number.isInteger(settings.cacheSize) && settings.cacheSize >= 0
      ? settings.cacheSize
      : DEFAULT_CACHE_SIZE;
  let delegate = null;
  let compiled = null;

  const configure = (o) => {
    if (typeof o === 'function') {
      delegate = o;
      compiled = null;
      return [];
    }
    const next = new Compiled(o, cacheSize);
    emitSecurityWarnings(next.warnings);
    delegate = null;
    compiled = next;
    return next.warnings;
  };

  function corsMiddleware(req, res, next) {
    if (delegate !== null) {
      delegate(req, (err, options) => {
        if (err) next(err);
        else handleOnce(options, req, res, next);
      });
      return;
    }
    const c = compiled;
    if (c.disabled) {
      next();
    } else if (c.originFn !== null) {
      const requestOrigin = ownHeader(req.headers, 'origin');
      const originFn = c.originFn; // called as a plain function, as cors calls it
      originFn(requestOrigin, (err, value) => {
        if (err || !value) next(err);
        else c.handle(req, res, next, answerOf(value, requestOrigin));
      });
    } else if (c.pure) {
      c.handle(req, res, next, PURE);
    } else if (c.dynamic) {
      c.handle(req, res, next, originAllowed(c.origin, ownHeader(req.headers, 'origin')));
    } else {
      c.handle(req, res, next, undefined);
    }
  }

  let warnings = configure(options);
  Object.defineProperty(corsMiddleware, 'warnings', { get: () => warnings, enumerable: true });
  /** Swaps in new options; invalid ones throw and leave the old ones serving. */
  corsMiddleware.reconfigure = (o) => {
    warnings = configure(o);
  };
  return corsMiddleware;
}

// ---------------------------------------------------------------------------------------------
// The strict engine.

function policySource(config) {
  if (typeof config === 'string') return [config, 'file'];
  return [JSON.stringify(config === undefined ? {} : config), 'json'];
}

/** Request headers as `[name, value, …]` lines: a `req.headers` object or `[name, value]` pairs. */
function headerLines(headers) {
  const out = [];
  if (headers == null) return out;
  if (Array.isArray(headers)) {
    for (const [name, value] of headers) out.push(String(name), String(value));
    return out;
  }
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.push(name, String(v));
    else out.push(name, String(value));
  }
  return out;
}

function decisionOf(d) {
  return {
    kind: d.kind,
    allowed: d.allowed,
    status: d.status == null ? null : d.status,
    headers: d.headers.map(([name, value]) => [name, value]),
    vary: d.vary.slice(),
    body: d.body,
    reason:
      d.reason == null
        ? null
        : {
            code: d.reason.code,
            value: d.reason.value,
            message: d.reason.message,
            browserReason: d.reason.browserReason,
          },
  };
}

/** Corsgate's strict engine: the policy keys of docs/policy.md, validated at construction. */
class Policy {
  /** A policy from its keys (an object), or from a file path (`.json`, else TOML). */
  constructor(config) {
    const [source, kind] = policySource(config);
    this._native = compilePolicy(source, kind);
  }

  /** A policy file (`.json` is JSON, anything else TOML). */
  static fromFile(path) {
    return Policy._of(String(path), 'file');
  }

  /** A policy from JSON text. */
  static fromJSON(text) {
    return Policy._of(String(text), 'json');
  }

  /** A policy from TOML text. */
  static fromTOML(text) {
    return Policy._of(String(text), 'toml');
  }

  static _of(source, kind) {
    const p = Object.create(Policy.prototype);
    p._native = compilePolicy(source, kind);
    return p;
  }

  /** Lint warnings of the policy serving now. */
  get warnings() {
    return this._native.warnings.map(plainDiagnostic);
  }

  /** The decision for a request: `{method, path, headers}`, headers as an object or pairs. */
  evaluate(request) {
    const r = request || {};
    const method = r.method === undefined ? 'GET' : String(r.method);
    const path = r.path === undefined ? '/' : String(r.path);
    return decisionOf(this._native.evaluate(method, path, headerLines(r.headers)));
  }

  /**
   * Swaps in a new configuration (an object, or a file path) while serving; invalid ones
   * throw `CorsgateConfigError` and the old policy keeps serving.
   */
  reconfigure(config) {
    const [source, kind] = policySource(config);
    const errors = this._native.reconfigure(source, kind);
    if (errors.length) throw new CorsgateConfigError(errors, [], 'CORS policy');
  }
}

function compilePolicy(source, kind) {
  const p = new native.Policy(source, kind);
  const errors = p.errors;
  if (errors.length) throw new CorsgateConfigError(errors, [], 'CORS policy');
  return p;
}

/** A request header as the strict engine reads it: `undefined` or one line. */
function headerLine(value) {
  return value === undefined ? undefined : String(value);
}

/**
 * Middleware with strict semantics for Express, Connect and node:http: answers preflights
 * itself (403 when denied), sets the headers of actual requests and calls `next()`.
 * `onDenied(reason, req)` is called for every denied CORS request.
 */
function middleware(policy, settings) {
  const p = policy instanceof Policy ? policy : new Policy(policy);
  const onDenied = settings && typeof settings.onDenied === 'function' ? settings.onDenied : null;
  // The core's answer (src/evaluator.rs): a template id, a new template, or the whole plan
  // `[status, reasonCode, reasonMessage, name, value, …]`.
  const decide = p._native.decider();
  const templates = [];
  return function corsgateMiddleware(req, res, next) {
    const headers = req.headers;
    const origin = headerLine(ownHeader(headers, 'origin'));
    const acrm = headerLine(ownHeader(headers, 'access-control-request-method'));
    const acrh = headerLine(ownHeader(headers, 'access-control-request-headers'));
    const acrpn = headerLine(ownHeader(headers, 'access-control-request-private-network'));
    const method = typeof req.method === 'string' ? req.method : '';
    // Express's own `originalUrl` (the URL before mounting), never an inherited one.
    const path = (hasOwn.call(req, 'originalUrl') && req.originalUrl) || req.url || '/';
    const vary = existingVary(res);
    let out;
    try {
      out = decide(method, path, origin, acrm, acrh, acrpn, vary === '' ? undefined : vary);
    } catch (err) {
      // The addon failed (an internal error): Express answers 500; node:http gets it here.
      if (typeof next === 'function') {
        next(err);
      } else {
        res.statusCode = 500;
        res.setHeader('Content-Length', '0');
        res.end();
      }
      return;
    }
    let plan;
    if (typeof out === 'number') {
      plan = fill(templates[out], origin, acrh, acrm);
    } else if (typeof out === 'string' && out[0] === '#') {
      const template = parseTemplate(out, 3);
      templates[template.id] = template;
      plan = fill(template, origin, acrh, acrm);
    } else {
      plan = unpack(out);
      plan[0] = plan[0] === '' ? 0 : Number(plan[0]);
    }
    for (let i = 3; i < plan.length; i += 2) res.setHeader(plan[i], plan[i + 1]);
    if (plan[1] !== '' && onDenied !== null) onDenied({ code: plan[1], message: plan[2] }, req);
    if (plan[0] !== 0) {
      res.statusCode = plan[0];
      res.setHeader('Content-Length', '0');
      res.end();
    } else if (typeof next === 'function') {
      next();
    }
  };
}

module.exports = cors;
module.exports.default = cors;
module.exports.cors = cors;
module.exports.Policy = Policy;
module.exports.middleware = middleware;
module.exports.CorsgateConfigError = CorsgateConfigError;
module.exports.browser = require('./lib/browser.js');
module.exports.version = require('./package.json').version;
