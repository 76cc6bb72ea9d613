'use strict';
// The core's answers as they cross from the addon (src/evaluator.rs): a plan
// `[status, …fields, name, value, …]`, status 0 when the next handler answers, sent whole or
// as a template that JavaScript keeps and fills in with the request's own strings.

const { VARY } = require('./headers.js');

/** The core's answer: a `\n`-separated string (or, rarely, already an array). */
function unpack(out) {
  return typeof out === 'string' ? out.split('\n') : out;
}

/** A whole answer without fields as a plan; `plan.vary` says whether it sets `Vary`. */
function toPlan(packed) {
  const out = unpack(packed);
  out[0] = out[0] === '' ? 0 : Number(out[0]);
  let vary = false;
  for (let i = 1; i < out.length; i += 2) if (out[i] === VARY) vary = true;
  out.vary = vary;
  return out;
}

/**
 * A template the core sent once (`#id\nstatus\n[fields\n]name\nKvalue…`, see
 * src/evaluator.rs; `head` counts the status and the fields: 1 for the `cors` profile, 4 for
 * the strict one, whose fields are the reason code and message and the `Vary` text): the plan with, for each value
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
    if (name === VARY) vary = true;
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

module.exports = { unpack, toPlan, parseTemplate, fill };
