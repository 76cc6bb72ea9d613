'use strict';
// Run from a scratch project after `npm install <repo>/bindings-node`: the package resolves
// by name, loads its addon and answers a real request on 127.0.0.1.
const http = require('node:http');
const assert = require('node:assert/strict');
const cors = require(require.resolve('corsgate', { paths: [process.cwd()] }));

const mw = cors({ origin: 'https://app.example.com' });
const server = http.createServer((req, res) => mw(req, res, () => res.end('ok')));
server.listen(0, '127.0.0.1', async () => {
  try {
    const res = await fetch(`http://127.0.0.1:${server.address().port}/`, {
      headers: { origin: 'https://app.example.com' },
    });
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(await res.text(), 'ok');
    const decision = new cors.Policy({ origins: ['https://app.example.com'] }).evaluate({
      headers: { origin: 'https://app.example.com' },
    });
    assert.equal(decision.allowed, true);
    console.log('fresh install: corsgate loads and answers');
  } finally {
    server.close();
  }
});
