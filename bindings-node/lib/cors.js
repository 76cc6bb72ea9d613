'use strict';
// The drop-in for the `cors` package (2.8.x): the Rust core's `express` profile decides every
// answer; JavaScript only runs what is JavaScript's (RegExp/array/function origins and the
// options delegate). Each request crosses into Rust at most once, and not at all when the same
// inputs were answered before (a bounded memo of the core's plans, keyed by every input the
// core reads), nor when an answer of the same shape was (a memo of the core's templates keyed
// by what the answer depends on: the origin's verdict, not its text).

const native = require('./native.js');
const { DEFAULTS, coreOptions } = require('./cors-options.js');
const { CorsgateConfigError, plainDiagnostic, emitSecurityWarnings } = require('./errors.js');
const { ORIGIN, REQUEST_HEADERS, ownHeader, existingVary } = require('./headers.js');
const { toPlan, parseTemplate, fill } = require('./plans.js');
const origins = require('./origin.js');

/** Plans remembered per middleware before the memo starts over. */
const DEFAULT_CACHE_SIZE = 1024;

/** The memo key of a verdict that is a pure function of the origin (computed on a miss). */
const PURE = Symbol('pure origin verdict');

/**
 * Where a template sits in the template memo of one method: what the `express` profile's
 * answer depends on when the request has an `Origin` (core/src/profiles/express.rs). The
 * origin and the request headers only appear in it echoed (template references) or, when
 * empty, as a header left out, so they count by whether they are absent, empty or not; the
 * verdict counts whole (`true`, `false`, none, or a string an origin function answered, whose
 * templates sit in `strings`): two origins share a template only when their verdicts are the
 * same. The method counts whole too (any case of `OPTIONS` is a preflight).
 */
function slot(acrh, v) {
  const h = acrh === undefined ? 0 : acrh === '' ? 1 : 2;
  return h * 3 + (v === true ? 0 : v === false ? 1 : 2);
}

/** The templates of one method: by `slot`, and for origin-function strings by string. */
class Shapes {
  constructor() {
    this.slots = new Array(9).fill(undefined);
    this.strings = new Map();
  }

  get(acrh, v) {
    if (typeof v !== 'string') return this.slots[slot(acrh, v)];
    const list = this.strings.get(v);
    return list === undefined ? undefined : list[slot(acrh, undefined)];
  }

  set(acrh, v, template) {
    if (typeof v !== 'string') {
      this.slots[slot(acrh, v)] = template;
      return;
    }
    let list = this.strings.get(v);
    if (list === undefined) {
      list = new Array(9).fill(undefined);
      this.strings.set(v, list);
    }
    list[slot(acrh, undefined)] = template;
  }
}

function stringOrUndefined(v) {
  return typeof v === 'string' ? v : undefined;
}

/** Sets a plan's headers; ends the response with its status, or calls `next()`. */
function applyPlan(plan, res, next) {
  for (let i = 1; i < plan.length; i += 2) res.setHeader(plan[i], plan[i + 1]);
  if (plan[0] !== 0) {
    res.statusCode = plan[0];
    res.end();
  } else {
    next();
  }
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
    this.origin = origins.copyOrigin(merged.origin);
    this.pure = this.dynamic && origins.isPure(this.origin);
    this.disabled = !merged.origin;
    this.cacheSize = cacheSize;
    this.size = 0;
    // origin -> [[method, request headers, answer, plan], ...]
    this.cache = new Map();
    // method -> Shapes: the templates for requests with a non-empty Origin
    this.shapes = new Map();
    this.shapeCount = 0;
  }

  /** The origin verdict to hand to the core (`PURE` is computed now). */
  verdict(answer, origin) {
    return answer === PURE ? origins.originAllowed(this.origin, origin) : answer;
  }

  /**
   * The core's answer for these inputs (one call into Rust; `v` is the origin verdict): a
   * template, or a whole plan (an array).
   */
  answer(method, origin, acrh, vary, v) {
    const out = this.evaluate(method, origin, acrh, vary, origins.verdictCode(v), origins.answerString(v));
    if (typeof out === 'number') return this.templates[out];
    if (typeof out === 'string' && out[0] === '#') {
      const template = parseTemplate(out, 1);
      this.templates[template.id] = template;
      return template;
    }
    return toPlan(out);
  }

  /** The core's plan for these inputs (one call into Rust). */
  ask(method, origin, acrh, vary, v) {
    const t = this.answer(method, origin, acrh, vary, v);
    return Array.isArray(t) ? t : fill(t, origin, acrh, origins.answerString(v));
  }

  /**
   * The plan for a request with a non-empty `Origin`, from the template memo (its verdict
   * computed now) or the core (one call): the origin's text only fills the template in.
   */
  shaped(method, origin, acrh, answer) {
    const v = this.verdict(answer, origin);
    let shapes = this.shapes.get(method);
    let t = shapes === undefined ? undefined : shapes.get(acrh, v);
    if (t === undefined) {
      t = this.answer(method, origin, acrh, undefined, v);
      if (Array.isArray(t)) return t; // no template (a value holding `\n`)
      if (this.shapeCount >= this.cacheSize) {
        this.shapes.clear();
        this.shapeCount = 0;
        shapes = undefined;
      }
      if (shapes === undefined) {
        shapes = new Shapes();
        this.shapes.set(method, shapes);
      }
      shapes.set(acrh, v, t);
      this.shapeCount++;
    }
    return fill(t, origin, acrh, origins.answerString(v));
  }

  /**
   * The plan for these inputs, from the memos or the core (one call): by the template memo
   * when the request has an `Origin`, else by the plan memo, keyed by every input.
   */
  plan(method, origin, acrh, answer) {
    if (this.cacheSize === 0) return this.ask(method, origin, acrh, undefined, this.verdict(answer, origin));
    if (typeof origin === 'string' && origin !== '') return this.shaped(method, origin, acrh, answer);
    let entries = this.cache.get(origin);
    if (entries !== undefined) {
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (e[0] === method && e[1] === acrh && e[2] === answer) return e[3];
      }
    }
    const plan = this.ask(method, origin, acrh, undefined, this.verdict(answer, origin));
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
    const origin = stringOrUndefined(ownHeader(headers, ORIGIN));
    const acrh = stringOrUndefined(ownHeader(headers, REQUEST_HEADERS));
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
      stringOrUndefined(ownHeader(headers, ORIGIN)),
      stringOrUndefined(ownHeader(headers, REQUEST_HEADERS)),
      existingVary(res) || undefined,
      origins.verdictCode(answer),
      origins.answerString(answer),
    );
    if (Array.isArray(out) && out.length > 0 && typeof out[0] !== 'string') {
      next(new CorsgateConfigError(out, [], 'cors options returned by the delegate'));
      return;
    }
    applyPlan(toPlan(out), res, next);
  };
  origins.withOrigin(merged.origin, req, next, run);
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
      const requestOrigin = ownHeader(req.headers, ORIGIN);
      const originFn = c.originFn; // called as a plain function, as cors calls it
      originFn(requestOrigin, (err, value) => {
        if (err || !value) next(err);
        else c.handle(req, res, next, origins.answerOf(value, requestOrigin));
      });
    } else if (c.pure) {
      c.handle(req, res, next, PURE);
    } else if (c.dynamic) {
      c.handle(req, res, next, origins.originAllowed(c.origin, ownHeader(req.headers, ORIGIN)));
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

module.exports = { cors };
