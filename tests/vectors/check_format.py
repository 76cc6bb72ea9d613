#!/usr/bin/env python3
"""Structural check of the shared conformance vectors (Python 3 standard library only).

Checks every file under requests/, invalid/ and warnings/: required fields and their types,
case names (snake_case, unique across all files), header names, `Vary` names, reason codes,
error codes and warning codes drawn from docs/semantics.md and docs/policy.md, policy keys, and
a few consistency rules every expected answer obeys (a denial carries no headers, an actual
answer has status null, ...). It also reports which documented codes no case covers.

It does not compute answers: expected results are written by reasoning from the docs.

Usage: python3 tests/vectors/check_format.py   (exit status 0 when everything is well formed)
"""
import json
import os
import re
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11: TOML text is then only checked for its type
    tomllib = None

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.normpath(os.path.join(HERE, "..", "..", "docs"))

REASONS = [
    "malformed_origin", "null_origin_not_allowed", "origin_not_allowed", "malformed_method",
    "method_not_allowed", "malformed_request_headers", "header_not_allowed",
    "request_headers_too_large", "private_network_not_allowed", "route_ambiguous",
]
ERROR_CODES = [
    "parse_error", "io_error", "unknown_key", "invalid_type", "wildcard_origin_with_credentials",
    "wildcard_origin_mixed", "origin_trailing_slash", "origin_has_path", "origin_has_query",
    "origin_has_fragment", "origin_has_userinfo", "origin_whitespace", "origin_uppercase",
    "origin_default_port", "origin_invalid_port", "origin_missing_scheme", "origin_invalid", "origin_not_canonical",
    "origin_null", "origin_bad_wildcard", "origin_wildcard_public_suffix",
    "origin_insecure_with_credentials", "origin_regex_invalid", "method_forbidden",
    "method_invalid", "request_header_forbidden", "request_header_invalid",
    "expose_header_forbidden", "expose_header_invalid", "wildcard_expose_with_credentials",
    "max_age_out_of_range", "preflight_status_out_of_range", "route_path_missing",
    "route_path_invalid", "route_nested",
]
WARNING_CODES = [
    "regex_unescaped_dot", "max_age_above_browser_cap", "null_origin_allowed",
    "private_network_enabled", "wildcard_shared_hosting", "method_not_uppercase",
    "duplicate_entry", "no_origins", "route_narrower_than_top_level", "wildcard_unknown_suffix",
]
POLICY_KEYS = {
    "origins": list, "origin_regexes": list, "allow_null_origin": bool, "methods": list,
    "request_headers": list, "expose_headers": list, "credentials": bool, "max_age": int,
    "private_network": bool, "preflight_status": int, "preflight_continue": bool,
    "allow_insecure_origins": bool, "routes": list,
}
RESPONSE_HEADERS = [
    "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
    "Access-Control-Allow-Private-Network", "Access-Control-Max-Age",
    "Access-Control-Expose-Headers",
]
VARY_NAMES = [
    "Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers",
    "Access-Control-Request-Private-Network",
]
KINDS = ["preflight", "actual", "not_cors"]
NAME_RE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
TOKEN_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
PATH_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(\[[0-9]+\])?)(\.[A-Za-z_][A-Za-z0-9_]*(\[[0-9]+\])?)*$")

problems = []


def problem(where, msg):
    problems.append("%s: %s" % (where, msg))


def check_docs():
    """The lists above must be the documented ones."""
    try:
        policy = open(os.path.join(DOCS, "policy.md"), encoding="utf-8").read()
        semantics = open(os.path.join(DOCS, "semantics.md"), encoding="utf-8").read()
    except OSError as e:
        print("note: docs not readable (%s); using the built-in code lists" % e)
        return
    errors_part, _, warnings_part = policy.partition("## Warnings")
    _, _, errors_part = errors_part.partition("## Errors")
    doc_errors = re.findall(r"^\| `([a-z_0-9]+)` \|", errors_part, re.M)
    doc_warnings = re.findall(r"^\| `([a-z_0-9]+)` \|", warnings_part, re.M)
    if doc_errors and sorted(doc_errors) != sorted(ERROR_CODES):
        problem("docs/policy.md", "error codes differ from this checker's list: %s"
                % sorted(set(doc_errors) ^ set(ERROR_CODES)))
    if doc_warnings and sorted(doc_warnings) != sorted(WARNING_CODES):
        problem("docs/policy.md", "warning codes differ from this checker's list: %s"
                % sorted(set(doc_warnings) ^ set(WARNING_CODES)))
    for r in REASONS:
        if "`%s`" % r not in semantics:
            problem("docs/semantics.md", "reason code %s is not documented" % r)


def is_byte_string(s):
    return isinstance(s, str) and all(ord(ch) <= 0xFF for ch in s)


def check_value(where, v):
    if isinstance(v, str):
        if not is_byte_string(v):
            problem(where, "characters above U+00FF cannot stand for bytes")
        return
    if isinstance(v, dict):
        if set(v) - {"repeat", "times", "prefix", "suffix"} or "repeat" not in v or "times" not in v:
            problem(where, "repeat form needs repeat and times (and optional prefix, suffix)")
            return
        if not isinstance(v["times"], int) or isinstance(v["times"], bool) or v["times"] < 0:
            problem(where, "times must be a non-negative integer")
        for k in ("repeat", "prefix", "suffix"):
            if k in v and not is_byte_string(v[k]):
                problem(where, "%s must be a byte string" % k)
        return
    problem(where, "header value must be a string or a repeat object")


def check_policy(where, policy, in_route=False):
    if not isinstance(policy, dict):
        problem(where, "policy must be an object")
        return
    for k, v in policy.items():
        if k == "path" and in_route:
            if not isinstance(v, str):
                problem(where, "route path must be a string")
            continue
        if k not in POLICY_KEYS:
            problem(where, "unknown policy key %r" % k)
            continue
        t = POLICY_KEYS[k]
        if not isinstance(v, t) or (t is int and isinstance(v, bool)):
            problem(where, "policy key %r must be %s" % (k, t.__name__))
            continue
        if t is list and k != "routes" and not all(isinstance(x, str) for x in v):
            problem(where, "policy key %r must hold strings" % k)
    if in_route and "path" not in policy:
        problem(where, "route without path")
    if in_route and "routes" in policy:
        problem(where, "nested routes in a valid policy")
    for i, r in enumerate(policy.get("routes", []) if isinstance(policy.get("routes"), list) else []):
        check_policy("%s.routes[%d]" % (where, i), r, in_route=True)


def check_request_case(where, c):
    if set(c) != {"name", "policy", "request", "expect"}:
        problem(where, "keys must be name, policy, request, expect (got %s)" % sorted(c))
        return
    check_policy(where + ".policy", c["policy"])
    rq = c["request"]
    if not isinstance(rq, dict) or set(rq) - {"method", "path", "headers"} or "method" not in rq \
            or "headers" not in rq:
        problem(where, "request needs method and headers (path optional)")
    else:
        if not isinstance(rq["method"], str) or not rq["method"]:
            problem(where, "request.method must be a non-empty string")
        if "path" in rq and (
            not isinstance(rq["path"], str) or not re.match(r"/|[a-z]+://", rq["path"])
        ):
            problem(where, "request.path must be a string starting with / (or absolute-form)")
        if not isinstance(rq["headers"], list):
            problem(where, "request.headers must be a list")
        else:
            for j, h in enumerate(rq["headers"]):
                hw = "%s.request.headers[%d]" % (where, j)
                if not isinstance(h, list) or len(h) != 2 or not isinstance(h[0], str) \
                        or not TOKEN_RE.match(h[0]):
                    problem(hw, "a header line is [name, value] with a token name")
                    continue
                check_value(hw, h[1])
    e = c["expect"]
    keys = {"kind", "allowed", "status", "headers", "vary", "reason"}
    if not isinstance(e, dict) or set(e) != keys:
        problem(where, "expect needs exactly %s" % sorted(keys))
        return
    if e["kind"] not in KINDS:
        problem(where, "expect.kind must be one of %s" % KINDS)
    if not isinstance(e["allowed"], bool):
        problem(where, "expect.allowed must be a boolean")
    st = e["status"]
    if st is not None and (not isinstance(st, int) or isinstance(st, bool)):
        problem(where, "expect.status must be an integer or null")
    if e["reason"] is not None and e["reason"] not in REASONS:
        problem(where, "unknown reason %r" % (e["reason"],))
    if not isinstance(e["headers"], list) or not all(
            isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h)
            for h in e["headers"]):
        problem(where, "expect.headers must be a list of [name, value] strings")
    else:
        for name, value in e["headers"]:
            if name not in RESPONSE_HEADERS:
                problem(where, "unexpected response header %r (use canonical case)" % name)
            if not is_byte_string(value):
                problem(where, "header value with characters above U+00FF")
        names = [h[0] for h in e["headers"]]
        order = [RESPONSE_HEADERS.index(n) for n in names if n in RESPONSE_HEADERS]
        if order != sorted(order):
            problem(where, "response headers out of the documented order")
        if any(names.count(n) > 1 for n in names if n != "Access-Control-Allow-Headers"):
            problem(where, "a response header other than ACAH appears twice")
    if not isinstance(e["vary"], list) or any(v not in VARY_NAMES for v in e["vary"]):
        problem(where, "expect.vary must list names from %s" % VARY_NAMES)
    elif len(set(e["vary"])) != len(e["vary"]):
        problem(where, "expect.vary repeats a name")
    else:
        order = [VARY_NAMES.index(v) for v in e["vary"]]
        if order != sorted(order):
            problem(where, "expect.vary out of the documented order")
    # consistency rules of the answer's shape
    if e["allowed"] != (e["reason"] is None):
        problem(where, "allowed must be true exactly when reason is null")
    if not e["allowed"] and e["headers"]:
        problem(where, "a denial carries no CORS headers")
    if e["kind"] in ("actual", "not_cors") and st is not None:
        problem(where, "%s answers have status null" % e["kind"])
    if e["kind"] == "not_cors" and (not e["allowed"] or e["headers"]):
        problem(where, "not_cors answers are allowed and carry no headers")
    if e["kind"] == "preflight" and st is not None:
        if e["allowed"] and not 200 <= st <= 299:
            problem(where, "an allowed preflight answers 200..299")
        if not e["allowed"] and st != 403:
            problem(where, "a denied preflight answers 403")
    if e["kind"] == "preflight" and e["allowed"] and "Access-Control-Allow-Methods" not in \
            [h[0] for h in e["headers"]]:
        problem(where, "an allowed preflight carries Access-Control-Allow-Methods")
    if e["kind"] != "not_cors" and e["allowed"] and (
            not e["headers"] or e["headers"][0][0] != "Access-Control-Allow-Origin"):
        problem(where, "an allowed CORS answer starts with Access-Control-Allow-Origin")


def check_entries(where, entries, field, codes):
    if not isinstance(entries, list):
        problem(where, "%s must be a list" % field)
        return []
    seen = set()
    for j, x in enumerate(entries):
        w = "%s.%s[%d]" % (where, field, j)
        if not isinstance(x, dict) or set(x) != {"path", "code"} or not isinstance(x["path"], str):
            problem(w, "entries are {path, code}")
            continue
        if x["code"] not in codes:
            problem(w, "unknown code %r" % (x["code"],))
        if x["path"] and not PATH_RE.match(x["path"]):
            problem(w, "malformed path %r" % x["path"])
        if (x["path"], x["code"]) in seen:
            problem(w, "listed twice")
        seen.add((x["path"], x["code"]))
    return [x.get("code") for x in entries if isinstance(x, dict)]


def check_invalid_case(where, c):
    src = [k for k in ("policy", "policy_toml") if k in c]
    if len(src) != 1 or set(c) != {"name", "errors", src[0]}:
        problem(where, "keys must be name, errors and one of policy / policy_toml")
        return []
    if "policy" in c and not isinstance(c["policy"], dict):
        problem(where, "policy must be an object")
    if "policy_toml" in c:
        if not isinstance(c["policy_toml"], str):
            problem(where, "policy_toml must be a string")
            return []
    codes = check_entries(where, c["errors"], "errors", ERROR_CODES)
    if not codes:
        problem(where, "an invalid policy lists at least one error")
    if "parse_error" in codes:
        if len(codes) != 1 or c["errors"][0]["path"] != "":
            problem(where, "parse_error stands alone, with path \"\"")
        if "policy_toml" not in c:
            problem(where, "parse_error needs policy_toml text")
    if "policy_toml" in c and tomllib is not None:
        try:
            tomllib.loads(c["policy_toml"])
            parsed = True
        except tomllib.TOMLDecodeError:
            parsed = False
        if parsed == ("parse_error" in codes):
            problem(where, "policy_toml %s TOML, but the errors say otherwise"
                    % ("is valid" if parsed else "is not valid"))
    return codes


def check_warning_case(where, c):
    if set(c) != {"name", "policy", "warnings"}:
        problem(where, "keys must be name, policy, warnings")
        return []
    check_policy(where + ".policy", c["policy"])
    return check_entries(where, c["warnings"], "warnings", WARNING_CODES)


def main():
    check_docs()
    names = {}
    counts = []
    covered = {"reason": set(), "error": set(), "warning": set()}
    totals = {}
    for sub, checker in (("requests", check_request_case), ("invalid", check_invalid_case),
                         ("warnings", check_warning_case)):
        d = os.path.join(HERE, sub)
        files = sorted(x for x in os.listdir(d) if x.endswith(".json")) if os.path.isdir(d) else []
        if not files:
            problem(sub, "no vector files")
        for fn in files:
            rel = "%s/%s" % (sub, fn)
            try:
                with open(os.path.join(d, fn), encoding="utf-8") as fh:
                    doc = json.load(fh)
            except (OSError, ValueError) as e:
                problem(rel, "cannot load: %s" % e)
                continue
            if not isinstance(doc, dict) or not isinstance(doc.get("description"), str) \
                    or not doc["description"].strip() or not isinstance(doc.get("cases"), list) \
                    or set(doc) != {"description", "cases"}:
                problem(rel, "a file is {\"description\": text, \"cases\": [...]}")
                continue
            for i, c in enumerate(doc["cases"]):
                where = "%s#%d" % (rel, i)
                if not isinstance(c, dict) or not isinstance(c.get("name"), str):
                    problem(where, "a case is an object with a name")
                    continue
                where = "%s:%s" % (rel, c["name"])
                if not NAME_RE.match(c["name"]):
                    problem(where, "name is not snake_case")
                if c["name"] in names:
                    problem(where, "name already used in %s" % names[c["name"]])
                names[c["name"]] = rel
                got = checker(where, c)
                if sub == "requests" and isinstance(c.get("expect"), dict) \
                        and c["expect"].get("reason"):
                    covered["reason"].add(c["expect"]["reason"])
                elif sub == "invalid":
                    covered["error"].update(got or [])
                elif sub == "warnings":
                    covered["warning"].update(got or [])
            counts.append((rel, len(doc["cases"])))
            totals[sub] = totals.get(sub, 0) + len(doc["cases"])
    for kind, documented in (("reason", REASONS), ("error", ERROR_CODES),
                             ("warning", WARNING_CODES)):
        # io_error comes from reading a file, which a vector (a policy as JSON) cannot do.
        missing = [x for x in documented if x not in covered[kind] and x != "io_error"]
        if missing:
            problem("coverage", "no case for %s code(s) %s" % (kind, ", ".join(missing)))
    width = max([len(r) for r, _ in counts] + [10])
    for rel, n in counts:
        print("%-*s %5d" % (width, rel, n))
    for sub in ("requests", "invalid", "warnings"):
        print("%-*s %5d" % (width, "total " + sub, totals.get(sub, 0)))
    print("codes covered: %d/%d reasons, %d/%d errors, %d/%d warnings"
          % (len(covered["reason"] & set(REASONS)), len(REASONS),
             len(covered["error"] & set(ERROR_CODES)), len(ERROR_CODES),
             len(covered["warning"] & set(WARNING_CODES)), len(WARNING_CODES)))
    if problems:
        print("\n%d problem(s):" % len(problems))
        for p in problems:
            print("  " + p)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
