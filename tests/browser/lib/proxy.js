'use strict';
// The one address Chromium talks to (`--proxy-server`): a forward HTTP proxy that
// - serves the test pages for http://app.example.com (the page origin of most cases) and for
//   the other page origins (PAGE_ORIGINS: a sibling subdomain, a look-alike foreign site);
// - forwards http://api-<server>.example.com/… to that server integration byte for byte
//   (it only turns the request line into origin form and asks for `Connection: close`, so
//   the response's end is the connection's end: no HTTP parsing of responses, no rewriting);
// - records every exchange: the request the browser sent and the status and header lines the
//   server sent, which is how the tests see preflights, count them (max-age) and feed the real
//   answers to the checker.
// It works on raw TCP because Node's HTTP parser refuses methods it does not know, and
// browsers send `patch` as the page wrote it. Any other host (Chromium's own background
// requests) gets a 403 and never leaves the machine.

const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const PAGE_HOST = 'app.example.com';
const PAGE_ORIGIN = `http://${PAGE_HOST}`;
/** Where a case's page lives (`from`), besides the sandboxed iframe (`null`). */
const PAGE_ORIGINS = {
  page: PAGE_ORIGIN,
  www: 'http://www.example.com', // same site, another origin
  evil: 'http://app.example.com.evil.org', // another site, with the page's name as a prefix
};
const PAGE_HOSTS = new Set(Object.values(PAGE_ORIGINS).map((o) => new URL(o).host));
const PAGES = path.join(__dirname, '..', 'page');
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection']);
const MAX_HEAD = 64 * 1024;

/** `api-<name>.example.com` for a server name. */
function apiHost(name) {
  return `api-${name}.example.com`;
}

/** Splits an HTTP head into its first line and [name, value] pairs. */
function parseHead(text) {
  const [first, ...lines] = text.split('\r\n');
  const headers = lines
    .filter((l) => l.includes(':'))
    .map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i), l.slice(i + 1).trim()];
    });
  return { first, headers };
}

function simple(socket, status, type, body) {
  const data = Buffer.from(body);
  socket.end(
    Buffer.concat([
      Buffer.from(`HTTP/1.1 ${status}\r\nContent-Type: ${type}\r\nContent-Length: ${data.length}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n`),
      data,
    ]),
  );
}

class Proxy {
  constructor() {
    /** server name -> backend port */
    this.backends = new Map();
    /** absolute URL -> [{method, url, requestHeaders, status, headers}] in arrival order */
    this.exchanges = new Map();
    this.sockets = new Set();
    this.server = net.createServer((socket) => this.accept(socket));
  }

  async listen() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    return this.port;
  }

  close() {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Everything recorded for `url` (absolute, as the page fetched it). */
  recorded(url) {
    return this.exchanges.get(url) || [];
  }

  accept(socket) {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    const onData = (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_HEAD) socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.pause();
      const { first, headers } = parseHead(buffered.subarray(0, end).toString('latin1'));
      this.request(socket, first, headers, buffered.subarray(end + 4));
    };
    socket.on('data', onData);
  }

  request(socket, first, headers, rest) {
    const [method, target] = first.split(' ');
    let url;
    try {
      url = new URL(target);
    } catch {
      simple(socket, '403 Forbidden', 'text/plain', 'absolute http URLs only\n');
      return;
    }
    if (url.protocol !== 'http:') return simple(socket, '403 Forbidden', 'text/plain', 'http only\n');
    if (PAGE_HOSTS.has(url.host)) return this.page(socket, url);
    const m = /^api-([a-z0-9]+)\.example\.com$/.exec(url.host);
    const port = m && this.backends.get(m[1]);
    if (!port) return simple(socket, '403 Forbidden', 'text/plain', 'not a test host\n');

    const sent = headers.filter(([n]) => !HOP_BY_HOP.has(n.toLowerCase()));
    const record = { method, url: url.href, requestHeaders: sent, status: 0, headers: null };
    const list = this.exchanges.get(url.href) || [];
    list.push(record);
    this.exchanges.set(url.href, list);

    const upstream = net.connect(port, '127.0.0.1');
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    const head = [`${method} ${url.pathname}${url.search} HTTP/1.1`, ...sent.map(([n, v]) => `${n}: ${v}`), 'Connection: close', '', ''];
    upstream.write(Buffer.concat([Buffer.from(head.join('\r\n'), 'latin1'), rest]));
    socket.pipe(upstream);
    socket.resume();
    let response = Buffer.alloc(0);
    upstream.on('data', (chunk) => {
      if (record.headers === null) {
        response = Buffer.concat([response, chunk]);
        const end = response.indexOf('\r\n\r\n');
        if (end >= 0) {
          const parsed = parseHead(response.subarray(0, end).toString('latin1'));
          record.status = Number(parsed.first.split(' ')[1]);
          record.headers = parsed.headers;
        }
      }
      socket.write(chunk);
    });
    upstream.on('end', () => socket.end());
    upstream.on('error', (e) => {
      record.error = e.message;
      socket.destroy();
    });
  }

  page(socket, url) {
    const name = url.pathname === '/' ? 'harness.html' : url.pathname.slice(1);
    if (!/^[a-z-]+\.(html|js|css)$/.test(name)) return simple(socket, '404 Not Found', 'text/plain', 'no such page\n');
    fs.readFile(path.join(PAGES, name), (err, data) => {
      if (err) return simple(socket, '404 Not Found', 'text/plain', 'no such page\n');
      const type = name.endsWith('.html') ? 'text/html' : name.endsWith('.css') ? 'text/css' : 'text/javascript';
      simple(socket, '200 OK', `${type}; charset=utf-8`, data);
    });
  }
}

module.exports = { Proxy, PAGE_ORIGIN, PAGE_ORIGINS, apiHost };
