'use strict';
// The strict engine as middleware for Express, Connect and node:http.

const { Policy } = require('./policy.js');
const headers = require('./headers.js');
const { unpack, parseTemplate, fill } = require('./plans.js');
const { writeOnHead } = require('./write.js');

const { ORIGIN, REQUEST_METHOD, REQUEST_HEADERS, REQUEST_PRIVATE_NETWORK, hasOwn, ownHeader } =
  headers;

/** A request header as the strict engine reads it: `undefined` or one line. */
function headerLine(value) {
  return value === undefined ? undefined : String(value);
}

/** Where a strict plan's headers start: after the status, reason code and message, and `Vary`. */
const HEAD = 4;

/**
 * Middleware with strict semantics for Express, Connect and node:http: answers preflights
 * itself (403 when denied) with the core's whole response; for the rest it calls `next()` and
 * writes the decision by the core's rule when the application's head goes out (lib/write.js:
 * the application's CORS headers removed, the decision's written, `Vary` merged).
 * `onDenied(reason, req)` is called for every denied CORS request.
 */
function middleware(policy, settings) {
  const p = policy instanceof Policy ? policy : new Policy(policy);
  const onDenied = settings && typeof settings.onDenied === 'function' ? settings.onDenied : null;
  // The core's answer (src/evaluator.rs): a template id, a new template, or the whole plan
  // `[status, reasonCode, reasonMessage, vary, name, value, …]`.
  const decide = p._native.decider();
  const templates = [];
  return function corsgateMiddleware(req, res, next) {
    const h = req.headers;
    const origin = headerLine(ownHeader(h, ORIGIN));
    const acrm = headerLine(ownHeader(h, REQUEST_METHOD));
    const acrh = headerLine(ownHeader(h, REQUEST_HEADERS));
    const acrpn = headerLine(ownHeader(h, REQUEST_PRIVATE_NETWORK));
    const method = typeof req.method === 'string' ? req.method : '';
    // Express's own `originalUrl` (the URL before mounting), never an inherited one.
    const path = (hasOwn.call(req, 'originalUrl') && req.originalUrl) || req.url || '/';
    let out;
    try {
      out = decide(method, path, origin, acrm, acrh, acrpn);
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
      const template = parseTemplate(out, HEAD);
      templates[template.id] = template;
      plan = fill(template, origin, acrh, acrm);
    } else {
      plan = unpack(out);
      plan[0] = plan[0] === '' ? 0 : Number(plan[0]);
    }
    if (plan[1] !== '' && onDenied !== null) onDenied({ code: plan[1], message: plan[2] }, req);
    if (plan[0] !== 0) {
      // The core's whole response; no application ran.
      for (let i = HEAD; i < plan.length; i += 2) res.setHeader(plan[i], plan[i + 1]);
      res.statusCode = plan[0];
      res.end();
      return;
    }
    writeOnHead(res, plan, HEAD, plan[3]);
    if (typeof next === 'function') next();
  };
}

module.exports = { middleware };
