'use strict';
// The matrix: what the page does (policy route x request). `expect` is written by hand from
// docs/semantics.md and the Fetch standard; the tests also derive the answer from the engine
// and from Chromium, and all three must agree.
//
// Fields: id (unique, part of the URL), path (selects the policy route in
// policies/matrix.toml), what (the table's description), init (fetch()'s second argument),
// from ('page': http://app.example.com, 'www': http://www.example.com, 'evil':
// http://app.example.com.evil.org, 'null': a sandboxed iframe in the first), expect ('allowed' or
// 'blocked'), readable (response headers JavaScript must be able to read, for full apps),
// hidden (headers it must not read), status (for full apps), repeat + preflights (max-age:
// fetch twice, expect that many preflights), statusBy (the status a server answers instead of
// `status`, by server name), only (servers the case applies to), query,
// rejectedBy (servers whose HTTP parser answers 400 before corsgate sees the request: there
// the browser blocks the actual request, whatever the policy says).

// nginx, waitress and Node's HTTP parser refuse a lowercase method (400 Bad Request, no CORS
// headers); uvicorn (h11) and libmicrohttpd accept it. Browsers send `patch` as written.
const LOWERCASE_METHOD_400 = ['nginx', 'wsgi', 'flask', 'express', 'fastify', 'koa', 'hono'];
// Apache httpd accepts `patch` and mod_proxy passes it on to the app (Node's HTTP parser),
// which answers 400; mod_corsgate writes the CORS headers on that answer like on any other,
// so the browser reads the 400.
const LOWERCASE_METHOD_STATUS = { apache: 400 };

const JSON_BODY = { 'Content-Type': 'application/json' };

const cases = [
  // Exact origin.
  { id: 'exact-get', path: '/exact/items', what: 'GET', expect: 'allowed', readable: ['x-request-id', 'content-type'], hidden: ['x-internal'] },
  { id: 'exact-head', path: '/exact/items', what: 'HEAD', init: { method: 'HEAD' }, expect: 'allowed' },
  { id: 'exact-post-text', path: '/exact/items', what: 'POST text/plain (no preflight)', init: { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' }, expect: 'allowed' },
  { id: 'exact-post-json', path: '/exact/items', what: 'POST application/json (preflight)', init: { method: 'POST', headers: JSON_BODY, body: '{}' }, expect: 'allowed' },
  { id: 'exact-put', path: '/exact/items/1', what: 'PUT', init: { method: 'PUT', headers: JSON_BODY, body: '{}' }, expect: 'allowed' },
  { id: 'exact-delete', path: '/exact/items/1', what: 'DELETE', init: { method: 'DELETE' }, expect: 'allowed' },
  { id: 'exact-patch', path: '/exact/items/1', what: 'PATCH', init: { method: 'PATCH', body: 'x' }, expect: 'allowed' },
  { id: 'exact-patch-lower', path: '/exact/items/1', what: "'patch' (sent as written)", init: { method: 'patch', body: 'x' }, expect: 'blocked' },
  { id: 'exact-options', path: '/exact/items', what: 'OPTIONS (not listed)', init: { method: 'OPTIONS' }, expect: 'blocked' },
  { id: 'exact-two-headers', path: '/exact/items', what: 'X-Custom + Content-Type: application/json', init: { method: 'POST', headers: { 'X-Custom': '1', 'Content-Type': 'application/json' }, body: '{}' }, expect: 'allowed' },
  { id: 'exact-www', path: '/exact/items', what: 'GET from http://www.example.com', from: 'www', expect: 'blocked' },
  { id: 'exact-www-put', path: '/exact/items', what: 'PUT from http://www.example.com', from: 'www', init: { method: 'PUT' }, expect: 'blocked' },
  { id: 'exact-custom', path: '/exact/items', what: 'X-Custom header', init: { headers: { 'X-Custom': '1' } }, expect: 'allowed' },
  { id: 'exact-other', path: '/exact/items', what: 'X-Other header (not listed)', init: { headers: { 'X-Other': '1' } }, expect: 'blocked' },
  { id: 'exact-auth', path: '/exact/items', what: 'Authorization (not listed)', init: { headers: { Authorization: 'Bearer t' } }, expect: 'blocked' },
  { id: 'exact-safelisted', path: '/exact/items', what: 'Accept, Accept-Language, Content-Language', init: { headers: { Accept: 'application/json', 'Accept-Language': 'fr', 'Content-Language': 'de' } }, expect: 'allowed' },
  { id: 'exact-range', path: '/exact/items', what: 'Range: bytes=0- (safelisted)', init: { headers: { Range: 'bytes=0-' } }, expect: 'allowed' },
  { id: 'exact-long-accept', path: '/exact/items', what: 'Accept of 129 bytes (unsafe)', init: { headers: { Accept: `a/${'x'.repeat(127)}` } }, expect: 'blocked' },
  { id: 'exact-credentials', path: '/exact/items', what: 'GET with cookies (no ACAC)', init: { credentials: 'include' }, expect: 'blocked' },
  { id: 'exact-404', path: '/exact/status/404', what: 'GET, the app answers 404', expect: 'allowed', status: 404 },
  { id: 'exact-500', path: '/exact/status/500', what: 'PUT, the app answers 500', init: { method: 'PUT' }, expect: 'allowed', status: 500 },
  { id: 'exact-null', path: '/exact/items', what: 'GET from a sandboxed iframe (null)', from: 'null', expect: 'blocked' },
  { id: 'exact-null-put', path: '/exact/items', what: 'PUT from a sandboxed iframe (null)', from: 'null', init: { method: 'PUT' }, expect: 'blocked' },
  { id: 'exact-max-age-0', path: '/exact/items', what: 'PUT twice, max_age = 0', init: { method: 'PUT' }, expect: 'allowed', repeat: 2, preflights: 2 },

  // Subdomain wildcard.
  { id: 'wild-get', path: '/wildcard/items', what: 'GET', expect: 'allowed', hidden: ['x-request-id'] },
  { id: 'wild-put', path: '/wildcard/items', what: 'PUT', init: { method: 'PUT' }, expect: 'allowed' },
  { id: 'wild-custom', path: '/wildcard/items', what: 'X-Custom header', init: { headers: { 'X-Custom': '1' } }, expect: 'allowed' },
  { id: 'wild-www', path: '/wildcard/items', what: 'GET from http://www.example.com', from: 'www', expect: 'allowed' },
  { id: 'wild-www-custom', path: '/wildcard/items', what: 'X-Custom from http://www.example.com', from: 'www', init: { headers: { 'X-Custom': '1' } }, expect: 'allowed' },
  { id: 'wild-evil', path: '/wildcard/items', what: 'GET from http://app.example.com.evil.org', from: 'evil', expect: 'blocked' },
  { id: 'wild-delete', path: '/wildcard/items', what: 'DELETE (not listed)', init: { method: 'DELETE' }, expect: 'blocked' },
  { id: 'wild-credentials', path: '/wildcard/items', what: 'GET with cookies (no ACAC)', init: { credentials: 'include' }, expect: 'blocked' },

  // Regular expression.
  { id: 'regex-get', path: '/regex/items', what: 'GET', expect: 'allowed' },
  { id: 'regex-delete', path: '/regex/items', what: 'DELETE', init: { method: 'DELETE' }, expect: 'allowed' },
  { id: 'regex-www', path: '/regex/items', what: 'GET from http://www.example.com', from: 'www', expect: 'allowed' },
  { id: 'regex-evil', path: '/regex/items', what: 'GET from http://app.example.com.evil.org', from: 'evil', expect: 'blocked' },
  { id: 'regex-put', path: '/regex/items', what: 'PUT (not listed)', init: { method: 'PUT' }, expect: 'blocked' },
  { id: 'regex-custom', path: '/regex/items', what: 'X-Custom header (not listed)', init: { headers: { 'X-Custom': '1' } }, expect: 'blocked' },

  // Port wildcard.
  { id: 'port-get', path: '/any-port/items', what: 'GET (default port)', expect: 'allowed' },
  { id: 'port-put', path: '/any-port/items', what: 'PUT (no methods)', init: { method: 'PUT' }, expect: 'blocked' },

  // Denied origin.
  { id: 'denied-get', path: '/denied/items', what: 'GET', expect: 'blocked' },
  { id: 'denied-post-text', path: '/denied/items', what: 'POST text/plain', init: { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' }, expect: 'blocked' },
  { id: 'denied-put', path: '/denied/items', what: 'PUT', init: { method: 'PUT' }, expect: 'blocked' },
  { id: 'denied-credentials', path: '/denied/items', what: 'GET with cookies', init: { credentials: 'include' }, expect: 'blocked' },
  { id: 'denied-500', path: '/denied/status/500', what: 'GET, the app answers 500', expect: 'blocked' },

  // Any origin.
  { id: 'any-get', path: '/any/items', what: 'GET (every header exposed)', expect: 'allowed', readable: ['x-request-id', 'x-internal'] },
  { id: 'any-put', path: '/any/items', what: 'PUT', init: { method: 'PUT' }, expect: 'allowed' },
  { id: 'any-patch', path: '/any/items', what: 'PATCH', init: { method: 'PATCH' }, expect: 'allowed' },
  { id: 'any-patch-lower', path: '/any/items', what: "'patch' (400 from nginx, waitress, Node, readable through httpd)", init: { method: 'patch' }, expect: 'allowed', rejectedBy: LOWERCASE_METHOD_400, statusBy: LOWERCASE_METHOD_STATUS },
  { id: 'any-custom', path: '/any/items', what: 'X-Custom header', init: { headers: { 'X-Custom': '1' } }, expect: 'allowed' },
  { id: 'any-auth', path: '/any/items', what: 'Authorization (* does not cover it)', init: { headers: { Authorization: 'Bearer t' } }, expect: 'blocked' },
  { id: 'any-credentials', path: '/any/items', what: 'GET with cookies (ACAO *)', init: { credentials: 'include' }, expect: 'blocked' },
  { id: 'any-credentials-put', path: '/any/items', what: 'PUT with cookies (ACAO *)', init: { method: 'PUT', credentials: 'include' }, expect: 'blocked' },
  { id: 'any-evil', path: '/any/items', what: 'GET from http://app.example.com.evil.org', from: 'evil', expect: 'allowed' },
  { id: 'any-null', path: '/any/items', what: 'GET from a sandboxed iframe (null)', from: 'null', expect: 'allowed' },

  // Credentials.
  { id: 'cred-get', path: '/credentials/items', what: 'GET with cookies', init: { credentials: 'include' }, expect: 'allowed', cookie: true, readable: ['x-request-id', 'x-cookie'], hidden: ['x-internal'] },
  { id: 'cred-put', path: '/credentials/items', what: 'PUT JSON with cookies', init: { method: 'PUT', headers: JSON_BODY, body: '{}', credentials: 'include' }, expect: 'allowed', cookie: true },
  { id: 'cred-auth', path: '/credentials/items', what: 'Authorization with cookies', init: { headers: { Authorization: 'Bearer t' }, credentials: 'include' }, expect: 'allowed', cookie: true },
  { id: 'cred-custom', path: '/credentials/items', what: 'X-Custom with cookies', init: { headers: { 'X-Custom': '1' }, credentials: 'include' }, expect: 'allowed', cookie: true },
  { id: 'cred-delete', path: '/credentials/items', what: 'DELETE with cookies', init: { method: 'DELETE', credentials: 'include' }, expect: 'allowed', cookie: true },
  { id: 'cred-without', path: '/credentials/items', what: 'GET without cookies', expect: 'allowed', cookie: false },
  { id: 'cred-other', path: '/credentials/items', what: 'X-Other with cookies (not listed)', init: { headers: { 'X-Other': '1' }, credentials: 'include' }, expect: 'blocked' },
  { id: 'cred-patch', path: '/credentials/items', what: 'PATCH with cookies (not listed)', init: { method: 'PATCH', credentials: 'include' }, expect: 'blocked' },
  { id: 'cred-404', path: '/credentials/status/404', what: 'GET with cookies, the app answers 404', init: { credentials: 'include' }, expect: 'allowed', status: 404, cookie: true },
  { id: 'cred-evil', path: '/credentials/items', what: 'GET with cookies from another site', from: 'evil', init: { credentials: 'include' }, expect: 'blocked', cookie: false },
  { id: 'cred-null', path: '/credentials/items', what: 'GET with cookies from null', from: 'null', init: { credentials: 'include' }, expect: 'blocked' },

  // No credentials in the policy.
  { id: 'nocred-get', path: '/no-credentials/items', what: 'GET', expect: 'allowed', readable: ['x-request-id'], hidden: ['x-cookie', 'x-internal'] },
  { id: 'nocred-cookies', path: '/no-credentials/items', what: 'GET with cookies', init: { credentials: 'include' }, expect: 'blocked' },
  { id: 'nocred-put-cookies', path: '/no-credentials/items', what: 'PUT with cookies', init: { method: 'PUT', credentials: 'include' }, expect: 'blocked' },
  { id: 'nocred-auth', path: '/no-credentials/items', what: 'Authorization without cookies', init: { headers: { Authorization: 'Bearer t' } }, expect: 'allowed' },

  // The null origin.
  { id: 'null-get', path: '/null/items', what: 'GET from a sandboxed iframe', from: 'null', expect: 'allowed' },
  { id: 'null-put', path: '/null/items', what: 'PUT from a sandboxed iframe', from: 'null', init: { method: 'PUT' }, expect: 'allowed' },
  { id: 'null-custom', path: '/null/items', what: 'X-Custom from a sandboxed iframe', from: 'null', init: { headers: { 'X-Custom': '1' } }, expect: 'allowed' },
  { id: 'null-delete', path: '/null/items', what: 'DELETE from a sandboxed iframe (not listed)', from: 'null', init: { method: 'DELETE' }, expect: 'blocked' },
  { id: 'null-page', path: '/null/items', what: 'GET from the page', expect: 'allowed' },

  // PATCH and patch.
  { id: 'patch-upper', path: '/patch/items', what: 'PATCH', init: { method: 'PATCH', headers: JSON_BODY, body: '{}' }, expect: 'allowed' },
  { id: 'patch-lower', path: '/patch/items', what: "'patch' (methods = [PATCH])", init: { method: 'patch' }, expect: 'blocked' },
  { id: 'patch-lower-ok', path: '/patch-lower/items', what: "'patch' (methods = [patch]; 400 from nginx, waitress, Node, readable through httpd)", init: { method: 'patch' }, expect: 'allowed', rejectedBy: LOWERCASE_METHOD_400, statusBy: LOWERCASE_METHOD_STATUS },
  { id: 'patch-upper-no', path: '/patch-lower/items', what: 'PATCH (methods = [patch])', init: { method: 'PATCH' }, expect: 'blocked' },

  // Any method, any header.
  { id: 'anym-purge', path: '/any-method/items', what: 'PURGE', init: { method: 'PURGE' }, expect: 'allowed' },
  { id: 'anym-header', path: '/any-method/items', what: 'X-Anything header', init: { headers: { 'X-Anything': '1', 'X-Custom': '2' } }, expect: 'allowed' },
  { id: 'anym-auth', path: '/any-method/items', what: 'Authorization (must be named)', init: { headers: { Authorization: 'Bearer t' } }, expect: 'blocked' },

  // Preflight cache.
  { id: 'max-age-600', path: '/max-age/items', what: 'PUT twice, max_age = 600', init: { method: 'PUT' }, expect: 'allowed', repeat: 2, preflights: 1 },
  { id: 'max-age-default', path: '/default-max-age/items', what: 'PUT twice, no max_age (5 s)', init: { method: 'PUT' }, expect: 'allowed', repeat: 2, preflights: 1 },

  // Exposed headers.
  { id: 'expose-none', path: '/expose-none/items', what: 'GET, nothing exposed', expect: 'allowed', readable: ['content-type'], hidden: ['x-request-id', 'x-internal'] },

  // Preflight status.
  { id: 'status-200', path: '/preflight-200/items', what: 'PUT + X-Custom, preflight 200', init: { method: 'PUT', headers: { 'X-Custom': '1' } }, expect: 'allowed' },

  // nginx in front of an upstream.
  { id: 'nginx-502', path: '/exact/down', what: 'GET, the upstream is down (nginx 502)', expect: 'allowed', status: 502, only: ['nginx'] },
  { id: 'nginx-app-cors', path: '/exact/items', query: 'appcors=1', what: 'the upstream sends its own ACAO *', expect: 'allowed', only: ['nginx', 'apache'] },
  // Apache httpd in front of a backend (mod_proxy).
  { id: 'apache-503', path: '/exact/down', what: 'GET, the backend is down (mod_proxy 503)', expect: 'allowed', status: 503, only: ['apache'] },
];

module.exports = { cases };
