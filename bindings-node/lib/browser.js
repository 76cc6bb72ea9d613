'use strict';
// corsgate.browser: the browser-side checker. The Rust core decides; this parses its JSON.

const native = require('./native.js');

/** `fetch()` would throw before sending anything, or the input is invalid (`kind`). */
class RequestError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = 'RequestError';
    this.kind = kind;
  }
}

/**
 * Checks `fetch(request.url, …)` from a page of `request.origin` against the server's answers:
 * `answers.preflight` (used when a preflight is needed) and `answers.response`, answering for
 * `options.browser` (`chromium`, the default, `firefox` or `webkit`) under `browser`.
 * Returns the outcome (`verdict`, `blocked`, `blocked_in_chrome`, …, `browser`, `browsers`;
 * docs/cli.md).
 */
function check(request, answers = {}, options = {}) {
  const document = {
    request,
    preflight: answers.preflight ?? null,
    response: answers.response ?? null,
    browser: options.browser ?? 'chromium',
  };
  const outcome = JSON.parse(native.browserCheck(JSON.stringify(document)));
  if (outcome.error) throw new RequestError(outcome.error.kind, outcome.error.message);
  return outcome;
}

module.exports = { check, RequestError };
