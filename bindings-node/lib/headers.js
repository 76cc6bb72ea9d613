'use strict';
// Reading a request's and a response's headers. The names are the core's (the addon's
// `headerNames()`): no list of CORS header names is kept here.

const native = require('./native.js');

const NAMES = native.headerNames();
/** The request headers the engine reads, lower case: Origin, -Request-Method, -Headers, -Private-Network. */
const [ORIGIN, REQUEST_METHOD, REQUEST_HEADERS, REQUEST_PRIVATE_NETWORK] = NAMES.request;
/** `Vary`, as the core writes it. */
const VARY = NAMES.vary;

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
  const v = res.getHeader(VARY) || '';
  return Array.isArray(v) ? v.join(', ') : String(v);
}

module.exports = {
  ORIGIN,
  REQUEST_METHOD,
  REQUEST_HEADERS,
  REQUEST_PRIVATE_NETWORK,
  VARY,
  hasOwn,
  ownHeader,
  existingVary,
};
