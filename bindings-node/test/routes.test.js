'use strict';
// Route normalisation through real servers: Express 5, Express 4 and Connect, each with the
// strict middleware in front of an `/admin` location and a top-level one. Every target of
// tests/vectors/requests/routes_normalised.json written for its admin policy (a permissive top
// level with credentials, a stricter `/admin/*` route) is sent as a raw request line. Checked
// per target: the answer is the vector's, and, from the server itself, the property
// docs/semantics.md states: a request that reached `/admin` is never allowed for an origin only
// the top level allows. (Express and Connect route case-insensitively and without decoding.)
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const express5 = require('express');
const express4 = require('express4');
const connect = require('connect');
const corsgate = require('..');

const VECTORS = path.join(__dirname, '../../tests/vectors/requests/routes_normalised.json');
const TOP_ONLY = 'https://public.example';
const ALL = JSON.parse(fs.readFileSync(VECTORS, 'utf8')).cases;
const POLICY = ALL[0].policy;
const CASES = ALL.filter((c) => JSON.stringify(c.policy) === JSON.stringify(POLICY) && c.request.method === 'GET');

/** One raw request line; resolves to {status, headers (lower-cased names), body}. */
function send(port, target, origin) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const headers = {};
      for (const line of lines.slice(1)) {
        const at = line.indexOf(':');
        headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      resolve({ status: Number(lines[0].split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(`GET ${target} HTTP/1.1\r\nHost: api.example\r\nOrigin: ${origin}\r\nConnection: close\r\n\r\n`, 'latin1');
  });
}

function appOf(framework) {
  const app = framework();
  app.use(corsgate.middleware(POLICY));
  app.use('/admin', (req, res) => res.end('admin'));
  app.use((req, res) => res.end('top'));
  return app;
}

for (const [name, framework] of [['express 5', express5], ['express 4', express4], ['connect', connect]]) {
  test(`${name}: no target reaches /admin under the top level`, async () => {
    assert.ok(CASES.length >= 20, `expected the admin cases, found ${CASES.length}`);
    const server = http.createServer(appOf(framework));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    let reachedAdmin = 0;
    try {
      for (const c of CASES) {
        const origin = c.request.headers.find(([n]) => n === 'Origin')[1];
        const { status, headers, body } = await send(server.address().port, c.request.path, origin);
        assert.equal(status, 200, `${c.name}`);
        const acao = headers['access-control-allow-origin'];
        assert.equal(acao === origin, c.expect.allowed, `${c.name}: ${JSON.stringify(headers)}`);
        if (body === 'admin') {
          reachedAdmin += 1;
          assert.ok(!(origin === TOP_ONLY && acao), `${c.name}: false allow of ${c.request.path}`);
        }
      }
    } finally {
      server.close();
    }
    // The attack's forms (other case, absolute form, fragment) do reach /admin here.
    assert.ok(reachedAdmin >= 5, `${name} reached /admin ${reachedAdmin} times`);
  });
}
