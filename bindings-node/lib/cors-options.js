'use strict';
// Reading `cors` options with the package's coercions, so that the core sees what `cors`
// would send.

/** The defaults of the `cors` package, merged under the options as it does. */
const DEFAULTS = Object.freeze({
  origin: '*',
  methods: 'GET,HEAD,PUT,PATCH,POST,DELETE',
  preflightContinue: false,
  optionsSuccessStatus: 204,
});

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

module.exports = { DEFAULTS, isString, coreOptions };
