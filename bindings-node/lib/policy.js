'use strict';
// Corsgate's strict engine: a compiled policy, reconfigurable while serving.

const native = require('./native.js');
const { CorsgateConfigError, plainDiagnostic } = require('./errors.js');

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

function compilePolicy(source, kind) {
  const p = new native.Policy(source, kind);
  const errors = p.errors;
  if (errors.length) throw new CorsgateConfigError(errors, [], 'CORS policy');
  return p;
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

module.exports = { Policy };
