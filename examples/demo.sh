#!/usr/bin/env bash
# `make demo`: what corsgate decides for a handful of requests, and why.
# Usage: examples/demo.sh [path/to/corsgate]   (default: target/release/corsgate)
# Each case states the exit status it expects (0 allowed, 1 denied); any other fails the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
CORSGATE=${1:-target/release/corsgate}
failures=0
n=0
bold='' plain=''
if [[ -t 1 && -z ${NO_COLOR:-} ]]; then bold=$'\033[1m' plain=$'\033[0m'; fi

# Quotes an argument for display only when the shell would need it.
show_arg() {
  if [[ $1 =~ ^[A-Za-z0-9_./:=@,+-]+$ ]]; then printf ' %s' "$1"; else printf " '%s'" "$1"; fi
}

# case EXPECTED_EXIT "heading" "explanation" ARGS...
case_() {
  local expected=$1 heading=$2 explanation=$3
  shift 3
  n=$((n + 1))
  printf '\n%s── %d. %s%s\n%s\n$ corsgate check' "$bold" "$n" "$heading" "$plain" "$explanation"
  for arg in "$@"; do show_arg "$arg"; done
  printf '\n'
  local status=0
  "$CORSGATE" check "$@" || status=$?
  if [[ $status -ne $expected ]]; then
    printf '!! expected exit status %d, got %d\n' "$expected" "$status"
    failures=$((failures + 1))
  fi
}

APP=examples/policies/app.toml
PUBLIC=examples/policies/public-api.json
ROUTES=examples/policies/routes.toml

echo "corsgate decides, for each request, what the server must answer so that the browser"
echo "lets the page read the response, or refuses it. Policies: examples/policies/."

case_ 0 "An allowed preflight" \
  "The page at https://app.example.com wants to PUT JSON with a bearer token, so the browser
first sends a preflight (OPTIONS). corsgate answers it itself: 204 and the permissions." \
  --policy "$APP" --method OPTIONS --path /api/orders/42 --origin https://app.example.com \
  -H 'Access-Control-Request-Method: PUT' \
  -H 'Access-Control-Request-Headers: authorization,content-type'

case_ 0 "An actual request from a staging subdomain" \
  "https://*.staging.example.com allows every staging host. The application answers; corsgate
adds the headers that let the page read the response (cookies included)." \
  --policy "$APP" --method GET --path /api/orders --origin https://feature-x.staging.example.com

case_ 1 "A typo in the origin" \
  "app.exmaple.com is not in the policy. The browser would only say the header is missing;
corsgate also names the closest allowed origin." \
  --policy "$APP" --method OPTIONS --path /api/orders/42 --origin https://app.exmaple.com \
  -H 'Access-Control-Request-Method: DELETE'

case_ 1 "http instead of https" \
  "Same host, other scheme: a different origin. Denied actual requests still reach the
application (status: answered by the application), but without CORS headers the browser
hides the response from the page." \
  --policy "$APP" --method GET --path /api/orders --origin http://app.example.com

case_ 1 "A look-alike origin" \
  "https://app.example.com.evil.com only starts like an allowed origin: origins match exactly." \
  --policy "$APP" --method GET --path /api/me --origin https://app.example.com.evil.com

case_ 1 "'*' in request_headers does not cover authorization" \
  "public-api.json allows any header with '*', but the Fetch standard never lets '*' cover
authorization: it must be listed by name." \
  --policy "$PUBLIC" --method OPTIONS --path /v1/prices --origin https://dashboard.example.net \
  -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: authorization'

case_ 0 "Routes: public data for any origin" \
  "routes.toml answers /public/* for every origin, without credentials: Access-Control-Allow-Origin
is '*' and no Vary: Origin is needed, since the answer does not depend on the origin." \
  --policy "$ROUTES" --method GET --path /public/prices.json --origin https://anyone.example

case_ 1 "Routes: an internal path" \
  "/internal/health allows no origin, even the app's own: the first matching route answers." \
  --policy "$ROUTES" --method GET --path /internal/health --origin https://app.example.com

echo
if [[ $failures -ne 0 ]]; then
  echo "demo: $failures case(s) did not end as expected"
  exit 1
fi
echo "demo: $n cases, each ended as expected (exit 0 = allowed, 1 = denied)."
echo "Try your own: $CORSGATE check --help"
