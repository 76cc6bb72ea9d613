'use strict';
// Configuration errors and security warnings, as both products report them.

/** A diagnostic of the core as a plain object. */
function plainDiagnostic(d) {
  return { path: d.path, code: d.code, message: d.message, hint: d.hint == null ? null : d.hint };
}

/** One line: `path: message [code] (hint: …)`. */
function formatDiagnostic(d) {
  const where = d.path ? `${d.path}: ` : '';
  const hint = d.hint ? ` (hint: ${d.hint})` : '';
  return `${where}${d.message} [${d.code}]${hint}`;
}

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

/** Emits the security warnings of a configuration as one process warning. */
function emitSecurityWarnings(warnings) {
  if (warnings.length === 0) return;
  const message = warnings.map(formatDiagnostic).join('\n');
  process.emitWarning(message, {
    type: 'CorsgateSecurityWarning',
    code: `CORSGATE_${warnings[0].code.toUpperCase()}`,
  });
}

module.exports = { CorsgateConfigError, plainDiagnostic, emitSecurityWarnings };
