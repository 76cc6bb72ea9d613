'use strict';
// The `cors` package's `origin` option run in JavaScript (RegExps, arrays, functions), and
// what it found out handed to the core as a verdict.

const { isString } = require('./cors-options.js');
const { ORIGIN, ownHeader } = require('./headers.js');

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

/** An origin answer as the evaluator takes it: a verdict code (0 none, 1 denied, 2 allowed, 3 a string). */
function verdictCode(answer) {
  if (answer === undefined) return 0;
  if (answer === false) return 1;
  if (answer === true) return 2;
  return 3;
}

/** The string an origin function answered, if any. */
function answerString(answer) {
  return typeof answer === 'string' ? answer : undefined;
}

/**
 * Runs the origin option the way `cors` does: a falsy origin skips CORS (`next()`); a
 * function is asked (an error or a falsy answer: `next(err)`); a RegExp or an array is tested.
 */
function withOrigin(origin, req, next, run) {
  if (!origin) {
    next();
  } else if (typeof origin === 'function') {
    const requestOrigin = ownHeader(req.headers, ORIGIN);
    origin(requestOrigin, (err, value) => {
      if (err || !value) next(err);
      else run(answerOf(value, requestOrigin));
    });
  } else if (origin instanceof RegExp || Array.isArray(origin)) {
    run(originAllowed(origin, ownHeader(req.headers, ORIGIN)));
  } else {
    run(undefined);
  }
}

module.exports = {
  originAllowed,
  answerOf,
  isPure,
  copyOrigin,
  verdictCode,
  answerString,
  withOrigin,
};
