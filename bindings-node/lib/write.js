'use strict';
// The strict rule on a Node response (docs/semantics.md, "The response"): when the response's
// head is written, the core (`strictResponse`) says which of its header lines go (every CORS
// response header of the application or an earlier middleware) and the one `Vary` line that
// replaces its own; the decision's headers are then written after the application's.

const native = require('./native.js');
const { VARY } = require('./headers.js');

/** The core's rule over a response's header lines (src/evaluator.rs, `StrictWrite`). */
const strictResponse = native.strictWriter();

/** The response's header lines as the addon takes them: `name\nvalue\n…`. */
function headerLines(res) {
  let out = '';
  for (const name of res.getHeaderNames()) {
    const value = res.getHeader(name);
    if (Array.isArray(value)) for (const v of value) out += `${out === '' ? '' : '\n'}${name}\n${v}`;
    else out += `${out === '' ? '' : '\n'}${name}\n${value}`;
  }
  return out;
}

/** Headers given to `writeHead(status, [message], headers)`, joined to the response's own. */
function addHeaders(res, headers) {
  if (Array.isArray(headers)) {
    const pairs = headers.length > 0 && Array.isArray(headers[0]);
    const step = pairs ? 1 : 2;
    for (let i = 0; i + step - 1 < headers.length; i += step) {
      const [name, value] = pairs ? headers[i] : [headers[i], headers[i + 1]];
      const had = res.getHeader(name);
      res.setHeader(name, had === undefined ? value : [].concat(had, value));
    }
  } else if (headers != null && typeof headers === 'object') {
    for (const name of Object.keys(headers)) {
      if (headers[name] !== undefined) res.setHeader(name, headers[name]);
    }
  }
}

/**
 * A response stand-in's own response, whose head the rule waits for (the Fastify plugin
 * answers preflights through `reply` but the head is written on `reply.raw`).
 */
const RAW = Symbol('corsgate: the Node response under a stand-in');

/**
 * Writes `plan`'s headers (from index `from`, `[name, value, …]`) by the core's rule when the
 * head of `res` goes out (`writeHead`, explicit or implicit); `vary` is the decision's `Vary`
 * text, merged into the response's own.
 */
function writeOnHead(response, plan, from, vary) {
  const res = response[RAW] || response;
  const own = Object.prototype.hasOwnProperty.call(res, 'writeHead');
  const writeHead = res.writeHead;
  res.writeHead = function corsgateWriteHead(status, message, headers) {
    if (own) res.writeHead = writeHead;
    else delete res.writeHead;
    let extra = headers;
    let text = message;
    if (typeof message !== 'string') {
      extra = message;
      text = undefined;
    }
    addHeaders(res, extra);
    const answer = strictResponse(vary, headerLines(res)).split('\n');
    for (let i = 1; i < answer.length; i++) res.removeHeader(answer[i]);
    for (let i = from; i < plan.length; i += 2) res.setHeader(plan[i], plan[i + 1]);
    if (answer[0] !== '') res.setHeader(VARY, answer[0]);
    return text === undefined ? writeHead.call(this, status) : writeHead.call(this, status, text);
  };
}

module.exports = { writeOnHead, RAW };
