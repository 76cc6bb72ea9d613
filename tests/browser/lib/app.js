'use strict';
// The application behind every server integration (the same behaviour in servers/apps.py for
// ASGI and WSGI): no CORS code at all, only what an API does.
//   GET  …/cookie/set      sets the cookie `sid=<server>` (SameSite=Lax, HttpOnly)
//   ANY  …/status/<NNN>    answers with status NNN
//   ANY  anything else     answers 200
// Every answer is JSON {method, path, cookie} (the `sid` cookie the request carried, or null)
// with the headers X-Request-Id (exposed by most policies), X-Internal (never exposed) and
// X-Cookie (the cookie it read). `?appcors=1` makes the app send its own
// `Access-Control-Allow-Origin: *` (nginx must replace it with the policy's answer).

const http = require('node:http');

/** The `sid` cookie of a Cookie header, or null. */
function sid(cookieHeader) {
  for (const part of String(cookieHeader || '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'sid') return v.join('=');
  }
  return null;
}

/** A node:http handler for the app of server `name`. */
function handler(name) {
  return (req, res) => {
    req.resume();
    const url = new URL(req.url, 'http://app');
    if (url.pathname.endsWith('/cookie/set')) {
      res.writeHead(200, {
        'Content-Type': 'text/plain',
        'Set-Cookie': `sid=${name}; Path=/; SameSite=Lax; HttpOnly`,
      });
      res.end('cookie set\n');
      return;
    }
    const m = /\/status\/([1-5][0-9][0-9])$/.exec(url.pathname);
    const cookie = sid(req.headers.cookie);
    const headers = {
      'Content-Type': 'application/json',
      'X-Request-Id': 'req-42',
      'X-Internal': 'hidden',
      'X-Cookie': cookie || '',
    };
    if (url.searchParams.get('appcors') === '1') headers['Access-Control-Allow-Origin'] = '*';
    res.writeHead(m ? Number(m[1]) : 200, headers);
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ method: req.method, path: url.pathname, cookie }));
  };
}

/** Starts the bare app on 127.0.0.1 (nginx's upstream); resolves to the server. */
async function listen(name) {
  const server = http.createServer(handler(name));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

module.exports = { handler, listen, sid };
