'use strict';
// The response vectors (tests/vectors/responses/*.json) through the strict middleware's real
// write path: a bare node:http server and an Express 5 app, each with an application that
// answers the case's status, header lines (in order, a name may repeat) and body. What
// arrives over HTTP must be the case's expectation (tests/vectors/README.md): for every
// `Access-Control-*` name and `Vary` on the wire, every name the application set and every
// name the expectation lists, exactly the expected lines, in order.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const express5 = require('express');
const corsgate = require('..');

const DIR = path.join(__dirname, '..', '..', 'tests', 'vectors', 'responses');
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

/** The case's application: its header lines in order (a repeated name: one line each). */
function application(app) {
  return (req, res) => {
    for (const [name, value] of app.headers) {
      const had = res.getHeader(name);
      res.setHeader(name, had === undefined ? value : [].concat(had, value));
    }
    res.statusCode = app.status;
    res.end(app.body);
  };
}

function nodeServer(c) {
  const mw = corsgate.middleware(new corsgate.Policy(c.policy));
  const app = application(c.application);
  return http.createServer((req, res) => mw(req, res, () => app(req, res)));
}

function expressServer(c) {
  const a = express5();
  a.use(corsgate.middleware(new corsgate.Policy(c.policy)));
  a.use(application(c.application));
  return http.createServer(a);
}

/** Sends the case's request (its header lines as given) and resolves with what arrived. */
function send(server, c) {
  return new Promise((resolve, reject) => {
    server.listen(0, '127.0.0.1', () => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.address().port,
          method: c.request.method,
          path: c.request.path,
          // Header lines as given (an array: Node adds no Host of its own then).
          headers: ['Host', `127.0.0.1:${server.address().port}`, ...c.request.headers.flat()],
        },
        (res) => {
          const chunks = [];
          res.on('data', (d) => chunks.push(d));
          res.on('end', () => {
            const lines = [];
            for (let i = 0; i < res.rawHeaders.length; i += 2) {
              lines.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
            }
            server.close();
            resolve({ status: res.statusCode, lines, body: Buffer.concat(chunks).toString('latin1') });
          });
        },
      );
      req.on('error', (err) => {
        server.close();
        reject(err);
      });
      req.end();
    });
  });
}

/** What differs between the response and the case's expectation. */
function problems(c, got) {
  const exp = c.expect;
  const out = [];
  if (got.status !== exp.status) out.push(`status ${got.status}, expected ${exp.status}`);
  if (got.body !== exp.body) out.push(`body ${JSON.stringify(got.body)}, expected ${JSON.stringify(exp.body)}`);
  const want = new Map(Object.entries(exp.headers).map(([n, v]) => [n.toLowerCase(), v]));
  const names = new Set([...want.keys(), 'vary', ...c.application.headers.map(([n]) => n.toLowerCase())]);
  for (const [n] of got.lines) if (n.startsWith('access-control-')) names.add(n);
  for (const name of [...names].sort()) {
    const lines = got.lines.filter(([n]) => n === name).map(([, v]) => v);
    const expected = want.get(name) || [];
    if (JSON.stringify(lines) !== JSON.stringify(expected)) {
      out.push(`${name}: ${JSON.stringify(lines)}, expected ${JSON.stringify(expected)}`);
    }
  }
  return out;
}

for (const file of FILES) {
  const { cases } = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
  for (const [server, make] of [
    ['node:http', nodeServer],
    ['Express 5', expressServer],
  ]) {
    test(`responses/${file} through ${server}`, async () => {
      assert.ok(cases.length > 0);
      for (const c of cases) {
        assert.deepEqual(problems(c, await send(make(c), c)), [], c.name);
      }
    });
  }
}
