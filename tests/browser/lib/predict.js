'use strict';
// The two predictions, from the `corsgate` CLI (the core, with no server involved):
// - `engine()`: `corsgate check --json` on the policy file and the request the browser sent:
//   what every server must answer;
// - `checker()`: `corsgate explain --json` on what the page did and the responses a server
//   sent (or the engine said it would send): what Chromium does with them, and the console
//   message it prints.

const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..', '..');
const CLI = process.env.CORSGATE_CLI || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'debug', 'corsgate');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'corsgate-browser-'));
let files = 0;

function run(args) {
  return new Promise((resolve, reject) => {
    execFile(CLI, args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      // Exit status 1 is a verdict (denied / blocked), 2 with JSON an incomplete one.
      if (err && err.code !== 1 && !(err.code === 2 && stdout.startsWith('{'))) {
        reject(new Error(`${CLI} ${args.join(' ')}: ${stderr || err.message}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`${CLI} ${args.join(' ')}: not JSON: ${stdout}${stderr}`));
      }
    });
  });
}

/** The engine's decision for one request (method, absolute URL, header pairs as sent). */
function engine(policyFile, method, url, headers) {
  const u = new URL(url);
  const args = ['check', '--json', '--policy', policyFile, '--method', method, '--path', u.pathname, '--url', url];
  for (const [name, value] of headers) {
    if (name.toLowerCase() === 'origin') args.push('--origin', value);
  }
  for (const [name, value] of headers) {
    const n = name.toLowerCase();
    if (n !== 'origin' && n !== 'host') args.push('-H', `${name}: ${value}`);
  }
  return run(args);
}

function httpText(response) {
  const lines = [`HTTP/1.1 ${response.status} -`, ...response.headers.map(([n, v]) => `${n}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * The checker's outcome for a page's fetch (`origin`, `url`, `init` as passed to fetch())
 * given the preflight response and the actual response (`{status, headers}` or null).
 */
function checker(origin, url, init, preflight, response) {
  const args = ['explain', '--json', '--origin', origin, '--url', url, '--method', (init && init.method) || 'GET'];
  const headers = Object.entries((init && init.headers) || {});
  if (init && typeof init.body === 'string' && !headers.some(([n]) => n.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', 'text/plain;charset=UTF-8']); // what fetch() adds for a string body
  }
  for (const [name, value] of headers) args.push('-H', `${name}: ${value}`);
  if (init && init.credentials === 'include') args.push('--credentials');
  for (const [flag, r] of [['--preflight-response', preflight], ['--response', response]]) {
    if (!r) continue;
    const file = path.join(TMP, `${process.pid}-${files++}.http`);
    fs.writeFileSync(file, httpText(r));
    args.push(flag, file);
  }
  return run(args);
}

function cleanup() {
  fs.rmSync(TMP, { recursive: true, force: true });
}

module.exports = { engine, checker, cleanup, CLI };
