'use strict';
// The checker's vectors (tests/vectors/browser/) in the real browsers: a raw server answers
// each case's preflight and response exactly as the vector writes them (two
// Access-Control-Allow-Origin lines, redirected preflights, unparsable lists, odd max-ages:
// answers no corsgate server sends), the page makes the case's fetch() in Chromium and in
// Firefox ESR, and each browser's outcome (resolved or rejected) and CORS console lines must be
// the vector's expectation for that browser (Chromium: `chrome_error`/`error`; Firefox:
// `firefox`), and so must the preflight it sent (none, or its Access-Control-Request-Method and
// -Headers) where the vector names one (`preflight_request`, Firefox's own under `firefox`). Cases the page cannot reproduce over plain http are left out, counted and named
// below: another page origin or URL, `no-cors`, a request fetch() refuses, a missing answer,
// a redirected actual response (the browser would follow it), a 1xx status.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const test = require('node:test');
const { Proxy, PAGE_ORIGIN } = require('./lib/proxy.js');
const browsers = require('./lib/browsers.js');

const DIR = path.join(__dirname, '..', 'vectors', 'browser');
const HOST = 'api-vectors.example.com';
const list = (v, all) => (v || all.join(' ')).split(/[\s,]+/).filter(Boolean);
const browserNames = list(process.env.CORSGATE_BROWSERS, browsers.ALL);

/** Why a case cannot run as written in a page over http, or null. */
function skipReason(c) {
  const r = c.request;
  const e = c.expect;
  if (r.origin || r.url) return 'another page origin or URL';
  if (r.mode === 'no-cors') return 'no-cors';
  if ('request_error' in e) return 'fetch() throws';
  if (e.verdict === 'incomplete' || !c.response) return 'an answer is missing';
  if (c.response.status < 200 || (c.response.status >= 300 && c.response.status < 400)) return 'the actual response redirects or is 1xx';
  if (c.preflight && c.preflight.status < 200) return 'a 1xx preflight';
  return null;
}

/** The case moved from https://app.example -> https://api.example/data to this matrix's names. */
function localize(c) {
  const url = `http://${HOST}/data?v=${c.name}`;
  const text = JSON.stringify(c).replaceAll('https://api.example/data', url).replaceAll('https://app.example', PAGE_ORIGIN);
  return { ...JSON.parse(text), url };
}

/** A raw HTTP server answering each case's preflight and response byte for byte. */
function vectorServer(byName) {
  const server = net.createServer((socket) => {
    let head = '';
    socket.on('data', (d) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const [first, ...lines] = head.split('\r\n\r\n')[0].split('\r\n');
      const [method, target] = first.split(' ');
      const name = new URL(target, `http://${HOST}`).searchParams.get('v');
      const c = byName.get(name);
      const preflight = method === 'OPTIONS' && lines.some((l) => l.toLowerCase().startsWith('access-control-request-method:'));
      const answer = c && (preflight ? c.preflight : c.response);
      const status = answer ? answer.status : 404;
      const headers = answer ? answer.headers : [];
      // A vector's own Content-Length is kept, with a body of that length.
      const length = headers.find(([n]) => n.toLowerCase() === 'content-length');
      const body = length ? 'x'.repeat(Number(length[1]) || 0) : '';
      const framing = length ? [] : ['Content-Length: 0'];
      const out = [`HTTP/1.1 ${status} Vector`, ...headers.map(([n, v]) => `${n}: ${v}`), ...framing, 'Connection: close', '', body];
      socket.end(Buffer.from(out.join('\r\n'), 'latin1'));
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** What the vector says `browser` does: the verdict, the console lines and, when the vector
 * names it, the preflight (`null`, or {method, request_headers}). */
function expected(c, browser) {
  const e = c.expect;
  if (browser === 'firefox') {
    const err = e.firefox.error;
    const preflight = 'preflight_request' in e.firefox ? e.firefox.preflight_request : e.preflight_request;
    return { verdict: e.firefox.verdict, console: err ? [err.message, ...(err.then || [])] : [], preflight };
  }
  const err = 'chrome_error' in e ? e.chrome_error : e.error;
  return { verdict: err ? 'blocked' : 'allowed', console: err ? [err.message] : [], preflight: e.preflight_request };
}

/** The preflight the proxy saw for `url`: null, or {method, request_headers}. */
function sentPreflight(proxy, url) {
  const options = proxy.recorded(url).find((x) => x.method === 'OPTIONS');
  if (!options) return null;
  const header = (n) => (options.requestHeaders.find(([k]) => k.toLowerCase() === n) || [])[1];
  return { method: header('access-control-request-method'), request_headers: header('access-control-request-headers') ?? null };
}

const all = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((f) => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')).cases.map((c) => ({ ...c, file: f })));
const runnable = all.filter((c) => !skipReason(c)).map(localize);

test(`the checker's vectors in ${browserNames.join(' and ')}`, { timeout: 200_000 }, async (t) => {
  const skipped = all.filter(skipReason);
  console.log(`${runnable.length} of ${all.length} vectors run in the browsers; ${skipped.length} cannot run over plain http from the page:`);
  const why = new Map();
  for (const c of skipped) why.set(skipReason(c), (why.get(skipReason(c)) || 0) + 1);
  for (const [reason, n] of why) console.log(`  ${n} (${reason})`);
  assert.ok(runnable.length >= 100, `at least 100 vectors run (${runnable.length})`);

  const server = await vectorServer(new Map(runnable.map((c) => [c.name, c])));
  const runs = await Promise.all(
    browsers.named(browserNames).map(async (b) => {
      const proxy = new Proxy();
      proxy.backends.set('vectors', server.address().port);
      const handle = await b.launch(await proxy.listen());
      try {
        const page = await handle.newPage();
        await page.goto(`${PAGE_ORIGIN}/`);
        const observed = [];
        for (const c of runnable) {
          const init = { method: c.request.method || 'GET', headers: c.request.headers || [], credentials: c.request.credentials || 'same-origin' };
          observed.push((await page.evaluate((a) => window.runCase(a), { url: c.url, init, from: 'page', repeat: 1 }))[0]);
        }
        // Console lines arrive on their own channel: wait (bounded), then settle.
        for (let i = 0; i < 50; i++) {
          if (runnable.every((c, k) => observed[k].resolved || b.consoleLines(c.url, handle.lines).length > 0)) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await new Promise((r) => setTimeout(r, 300));
        return runnable.map((c, k) => ({ c, b, got: observed[k], lines: b.consoleLines(c.url, handle.lines), preflight: sentPreflight(proxy, c.url) }));
      } finally {
        await handle.close();
        await proxy.close();
      }
    }),
  );
  server.close();
  for (const { c, b, got, lines, preflight } of runs.flat()) {
    await t.test(`${b.name} ${c.file}::${c.name}`, () => {
      const want = expected(c, b.name);
      const verdict = got.resolved ? 'allowed' : 'blocked';
      assert.equal(verdict, want.verdict, `${b.name} ${c.name}: fetch ${verdict}, the vector says ${want.verdict} (${got.error || ''})`);
      assert.deepEqual(lines, want.console, `${b.name} ${c.name}: console lines`);
      if (want.preflight !== undefined) assert.deepEqual(preflight, want.preflight, `${b.name} ${c.name}: the preflight sent`);
    });
  }
});
