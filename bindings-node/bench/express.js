'use strict';
// End-to-end Express 5 throughput with autocannon: the same app with the `cors` package and
// with corsgate's drop-in, in the same run. The server runs in a child process on 127.0.0.1;
// rounds alternate between the two middlewares.
//   node bench/express.js [seconds per round] [rounds]
const { fork } = require('node:child_process');
const path = require('node:path');

if (process.argv[2] === '--serve') {
  const express = require('express');
  const which = process.argv[3];
  const make = which === 'cors' ? require('cors') : require('..');
  const app = express();
  app.use(
    make({
      origin: ['https://app.example.com', 'https://admin.example.com'],
      credentials: true,
      allowedHeaders: ['content-type', 'x-token'],
      exposedHeaders: ['x-request-id'],
      maxAge: 600,
    }),
  );
  app.get('/api', (req, res) => res.json({ ok: true }));
  const server = app.listen(0, '127.0.0.1', () => process.send(server.address().port));
  process.on('message', () => server.close(() => process.exit(0)));
  return;
}

const autocannon = require('autocannon');
const SECONDS = Number(process.argv[2] || 10);
const ROUNDS = Number(process.argv[3] || 3);

function start(which) {
  return new Promise((resolve) => {
    const child = fork(__filename, ['--serve', which], { stdio: 'inherit' });
    child.once('message', (port) => resolve({ child, port }));
  });
}

async function round(which, request) {
  const { child, port } = await start(which);
  try {
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/api`,
      connections: 32,
      duration: SECONDS,
      ...request,
    });
    if (result.non2xx !== 0 || result.errors !== 0) throw new Error(`${which}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return result.requests.average;
  } finally {
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.send('stop');
    });
  }
}

const REQUESTS = {
  'GET with Origin': { method: 'GET', headers: { origin: 'https://app.example.com' } },
  preflight: {
    method: 'OPTIONS',
    headers: {
      origin: 'https://app.example.com',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'content-type,x-token',
    },
  },
};

(async () => {
  console.log(`autocannon, 32 connections, ${SECONDS} s x ${ROUNDS} rounds each, Express ${require('express/package.json').version}, node ${process.version}`);
  console.log('| request | cors req/s | corsgate req/s | corsgate vs cors |');
  console.log('|---|---:|---:|---:|');
  for (const [name, request] of Object.entries(REQUESTS)) {
    const totals = { cors: 0, corsgate: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      for (const which of r % 2 === 0 ? ['cors', 'corsgate'] : ['corsgate', 'cors']) {
        totals[which] += await round(which, request);
      }
    }
    const c = totals.cors / ROUNDS;
    const g = totals.corsgate / ROUNDS;
    console.log(`| ${name} | ${c.toFixed(0)} | ${g.toFixed(0)} | ${((g / c - 1) * 100).toFixed(1)}% |`);
  }
})();
