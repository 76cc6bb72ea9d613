'use strict';
// End-to-end Express 5 throughput with autocannon: the same app with the `cors` package and
// with corsgate's drop-in, in the same run. Each app runs in its own child process on
// 127.0.0.1 and both are loaded at the same time (two autocannon instances, 16 connections
// each), so a busy machine slows both alike; the median of the rounds is reported.
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

async function load(port, request) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/api`,
    connections: 16,
    duration: SECONDS,
    ...request,
  });
  if (result.non2xx !== 0 || result.errors !== 0) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

/** One round: both servers under load at once. */
async function round(request) {
  const servers = await Promise.all([start('cors'), start('corsgate')]);
  try {
    const [c, g] = await Promise.all(servers.map(({ port }) => load(port, request)));
    return { cors: c, corsgate: g };
  } finally {
    await Promise.all(
      servers.map(
        ({ child }) =>
          new Promise((resolve) => {
            child.once('exit', resolve);
            child.send('stop');
          }),
      ),
    );
  }
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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
  console.log(`autocannon, 16 connections per server, both servers at once, ${SECONDS} s x ${ROUNDS} rounds, Express ${require('express/package.json').version}, node ${process.version}`);
  console.log('| request | cors req/s | corsgate req/s | corsgate vs cors (median of rounds) | range |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, request] of Object.entries(REQUESTS)) {
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(await round(request));
    const ratios = rounds.map((x) => x.corsgate / x.cors - 1);
    const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
    console.log(
      `| ${name} | ${median(rounds.map((x) => x.cors)).toFixed(0)} | ${median(rounds.map((x) => x.corsgate)).toFixed(0)} | ` +
        `${pct(median(ratios))} | ${pct(Math.min(...ratios))} .. ${pct(Math.max(...ratios))} |`,
    );
  }
})();
