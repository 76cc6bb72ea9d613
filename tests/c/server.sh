#!/usr/bin/env bash
# Starts examples/c-server on 127.0.0.1 (a free port) with a policy file and checks, with curl,
# an allowed preflight, a denied preflight, allowed and denied actual requests, and a live
# reload (SIGHUP) with a good and then a broken policy file. Expected values follow
# docs/semantics.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${1:?work directory}
rm -rf "$W" && mkdir -p "$W"
SERVER=examples/c-server/corsgate-server
cp examples/c-server/policy.toml "$W/policy.toml"

"$SERVER" "$W/policy.toml" 0 >"$W/stdout" 2>"$W/stderr" &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 100); do
  grep -q "^listening on" "$W/stdout" && break
  kill -0 "$PID" 2>/dev/null || { cat "$W/stderr"; echo "server died"; exit 1; }
  sleep 0.05
done
URL=$(sed -n 's/^listening on //p' "$W/stdout")
[ -n "$URL" ] || { echo "server did not start"; exit 1; }
echo "server at $URL"

fails=0
# request <name> <curl args...>: fetches headers (lower-cased, CR stripped) into $W/<name>
request() {
  local name=$1; shift
  curl -s -o /dev/null -D - --max-time 5 "$@" | tr -d '\r' | tr 'A-Z' 'a-z' >"$W/$name"
}
expect() { # <name> <exact lower-cased header line or status line>
  if ! grep -qxF -- "$2" "$W/$1"; then
    echo "FAIL $1: missing '$2'"; sed 's/^/    /' "$W/$1"; fails=$((fails + 1))
  fi
}
expect_none() { # <name> <header name prefix>
  if grep -q "^$2" "$W/$1"; then
    echo "FAIL $1: unexpected $2"; sed 's/^/    /' "$W/$1"; fails=$((fails + 1))
  fi
}

request preflight_allowed -X OPTIONS "$URL/api/hello" -H "Origin: https://app.example.com" \
  -H "Access-Control-Request-Method: PUT" -H "Access-Control-Request-Headers: Content-Type"
expect preflight_allowed "http/1.1 204 no content"
expect preflight_allowed "access-control-allow-origin: https://app.example.com"
expect preflight_allowed "access-control-allow-credentials: true"
expect preflight_allowed "access-control-allow-methods: put"
expect preflight_allowed "access-control-allow-headers: content-type, authorization"
expect preflight_allowed "access-control-max-age: 600"
expect preflight_allowed "vary: origin, access-control-request-method, access-control-request-headers"

request preflight_denied -X OPTIONS "$URL/api/hello" -H "Origin: https://evil.example.net" \
  -H "Access-Control-Request-Method: PUT"
expect preflight_denied "http/1.1 403 forbidden"
expect_none preflight_denied "access-control-"
expect preflight_denied "vary: origin, access-control-request-method, access-control-request-headers"

request preflight_method_denied -X OPTIONS "$URL/api/hello" -H "Origin: https://app.example.com" \
  -H "Access-Control-Request-Method: PATCH"
expect preflight_method_denied "http/1.1 403 forbidden"
expect_none preflight_method_denied "access-control-"

request actual_allowed "$URL/api/hello" -H "Origin: http://localhost:5173"
expect actual_allowed "http/1.1 200 ok"
expect actual_allowed "access-control-allow-origin: http://localhost:5173"
expect actual_allowed "access-control-allow-credentials: true"
expect actual_allowed "access-control-expose-headers: x-request-id"
expect actual_allowed "vary: origin"
body=$(curl -s --max-time 5 "$URL/api/hello" -H "Origin: https://app.example.com")
[ "$body" = '{"message":"hello"}' ] || { echo "FAIL body: $body"; fails=$((fails + 1)); }

request actual_denied "$URL/api/hello" -H "Origin: https://app.example.com.evil.net"
expect actual_denied "http/1.1 200 ok"
expect_none actual_denied "access-control-"
expect actual_denied "vary: origin"

request not_cors "$URL/api/hello"
expect not_cors "http/1.1 200 ok"
expect_none not_cors "access-control-"
expect not_cors "vary: origin"

request not_found "$URL/nope" -H "Origin: https://app.example.com"
expect not_found "http/1.1 404 not found"
expect not_found "access-control-allow-origin: https://app.example.com"

# Live reload: a new origin becomes allowed, the old one denied.
sed -i 's|"https://app.example.com", ||' "$W/policy.toml"
sed -i 's|^origins = \[|origins = ["https://new.example.com", |' "$W/policy.toml"
kill -HUP "$PID"
for _ in $(seq 100); do grep -q "reloaded" "$W/stderr" && break; sleep 0.05; done
request reloaded_new "$URL/api/hello" -H "Origin: https://new.example.com"
expect reloaded_new "access-control-allow-origin: https://new.example.com"
request reloaded_old "$URL/api/hello" -H "Origin: https://app.example.com"
expect_none reloaded_old "access-control-"

# A broken file fails the reload; the running policy keeps serving.
echo 'origins = ["https://broken.example.com/"]' >"$W/policy.toml"
kill -HUP "$PID"
for _ in $(seq 100); do grep -q "reload failed" "$W/stderr" && break; sleep 0.05; done
grep -q "origin_trailing_slash" "$W/stderr" || { echo "FAIL: broken reload not reported"; fails=$((fails + 1)); }
request after_broken "$URL/api/hello" -H "Origin: https://new.example.com"
expect after_broken "access-control-allow-origin: https://new.example.com"

kill -TERM "$PID"
wait "$PID" || { echo "FAIL: server exit status $?"; fails=$((fails + 1)); }
trap - EXIT

# Route normalisation: every target of routes_normalised.json written for its admin policy, as
# a raw request line (curl --path-as-is); the answer must be the vector's.
python3 - "$W" <<'PY'
import json, sys
cases = json.load(open("tests/vectors/requests/routes_normalised.json"))["cases"]
admin = [c for c in cases if c["policy"] == cases[0]["policy"] and c["request"]["method"] == "GET"]
json.dump(admin[0]["policy"], open(sys.argv[1] + "/routes.json", "w"))
with open(sys.argv[1] + "/routes.txt", "w") as out:
    for c in admin:
        origin = dict(c["request"]["headers"])["Origin"]
        out.write(f'{c["name"]} {c["request"]["path"]} {origin} {str(c["expect"]["allowed"]).lower()}\n')
PY
"$SERVER" "$W/routes.json" 0 >"$W/routes.stdout" 2>"$W/routes.stderr" &
PID=$!
trap cleanup EXIT
for _ in $(seq 100); do grep -q "^listening on" "$W/routes.stdout" && break; sleep 0.05; done
URL=$(sed -n 's/^listening on //p' "$W/routes.stdout")
routes=0
while read -r name target origin allowed; do
  case "$target" in http://*) continue ;; esac # curl sends an absolute URL as origin-form
  curl -s -o /dev/null -D - --max-time 5 --path-as-is "$URL$target" -H "Origin: $origin" |
    tr -d '\r' | tr 'A-Z' 'a-z' >"$W/route"
  if grep -qxF "access-control-allow-origin: $origin" "$W/route"; then got=true; else got=false; fi
  [ "$got" = "$allowed" ] || { echo "FAIL route $name ($target): allowed=$got"; fails=$((fails + 1)); }
  routes=$((routes + 1))
done <"$W/routes.txt"
[ "$routes" -ge 20 ] || { echo "FAIL: only $routes route targets"; fails=$((fails + 1)); }
kill -TERM "$PID"
wait "$PID" || true
trap - EXIT
if [ "$fails" -ne 0 ]; then
  echo "server test: $fails failures"; echo "--- server stderr"; cat "$W/stderr"; exit 1
fi
echo "server test: ok"
