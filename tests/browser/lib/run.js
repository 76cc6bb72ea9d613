'use strict';
// Runs the matrix in headless Chromium against each server and compares, for every case and
// every server, three answers:
//   browser  what Chromium did: fetch() resolved or rejected, the headers JavaScript could
//            read, the console error it printed, the preflights it sent;
//   engine   the engine's decision on the requests the browser sent (`corsgate check`), turned
//            into the browser's outcome by the checker: the prediction from the policy alone;
//   checker  the checker's outcome (`corsgate explain`) on the responses the server actually
//            sent: verdict, readable headers, and Chromium's console message.
// plus the case's hand-written expectation. Any disagreement is a failure that names both sides.

const { chromium } = require('playwright-core');
const { Proxy, PAGE_ORIGIN, PAGE_ORIGINS, apiHost } = require('./proxy.js');
const predict = require('./predict.js');
const servers = require('./servers.js');
const { cases } = require('./cases.js');

const CHROMIUM = process.env.CORSGATE_CHROMIUM || '/usr/bin/chromium';
const CONSOLE_PREFIX = 'Access to fetch at ';

async function launch(proxyPort, { headless = true } = {}) {
  // Playwright gives every launch a fresh temporary profile (--user-data-dir) and removes it.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Every request goes to our proxy, which answers only *.example.com from 127.0.0.1.
      `--proxy-server=http://127.0.0.1:${proxyPort}`,
      '--proxy-bypass-list=<-loopback>',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  return { context, version: `Chromium ${browser.version()}`, close: () => browser.close() };
}

/** Runs `fn` over `items` with at most `n` at a time, in order of the results. */
async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

const lower = (list) => [...new Set(list.map((s) => s.toLowerCase()))].sort();
const header = (pairs, name) => {
  const found = pairs.filter(([n]) => n.toLowerCase() === name);
  return found.length ? found.map(([, v]) => v).join(', ') : null;
};
const isCors = ([n]) => n.toLowerCase().startsWith('access-control-');
const chromeVerdict = (outcome) => (outcome.blocked_in_chrome ? 'blocked' : outcome.missing ? 'incomplete' : 'allowed');

/** Everything known about one case on one server, and the list of disagreements. */
async function analyze(kase, server, url, observed, exchanges, consoleLines) {
  const origin = kase.from === 'null' ? 'null' : PAGE_ORIGINS[kase.from || 'page'];
  const init = kase.init || {};
  const problems = [];
  const check = (ok, what, a, b) => {
    if (!ok) problems.push(`${what}\n      ${a}\n      ${b}`);
  };
  const first = observed[0];
  const browser = first.resolved ? 'allowed' : 'blocked';
  const isPreflight = (x) => x.method === 'OPTIONS' && header(x.requestHeaders, 'access-control-request-method') !== null;
  const preflightEx = exchanges[0] && isPreflight(exchanges[0]) ? exchanges[0] : null;
  const actualEx = exchanges.find((x) => !isPreflight(x)) || null;
  const asResponse = (x) => (x && x.status ? { status: x.status, headers: x.headers } : null);
  // The server's HTTP parser answered the actual request itself (lowercase method): corsgate
  // never saw it, so that answer is part of the prediction as it is.
  const rejected = (kase.rejectedBy || []).includes(server.name);
  const expected = rejected ? 'blocked' : kase.expect;

  // The checker on what the server actually sent.
  const real = await predict.checker(origin, url, init, asResponse(preflightEx), asResponse(actualEx));

  // The engine's decisions on what the browser sent, and the responses they make.
  const decide = (x) => predict.engine(servers.POLICY, x.method, url, x.requestHeaders);
  const enginePre = preflightEx ? await decide(preflightEx) : null;
  const engineAct = actualEx ? await decide(actualEx) : null;
  const engineResponse = (x, d, status) => ({
    status,
    headers: [...x.headers.filter((h) => !isCors(h)), ...d.headers],
  });
  const predicted = await predict.checker(
    origin,
    url,
    init,
    enginePre && preflightEx.status ? engineResponse(preflightEx, enginePre, enginePre.status ?? preflightEx.status) : null,
    rejected ? asResponse(actualEx) : engineAct && actualEx.status ? engineResponse(actualEx, engineAct, actualEx.status) : null,
  );
  if (rejected) {
    check(!!actualEx && actualEx.status === 400 && !actualEx.headers.some(isCors), `${server.name} answers the actual request 400 itself`, `server: ${actualEx ? `${actualEx.status} ${JSON.stringify(actualEx.headers.filter(isCors))}` : 'no request'}`, 'expected: 400 without CORS headers');
  }

  const engine = chromeVerdict(predicted);
  const checker = chromeVerdict(real);
  check(expected === browser, 'expected vs browser', `expected: ${expected}`, `browser:  ${browser} ${first.error || ''}`);
  check(engine === browser, 'engine vs browser', `engine:  ${engine} (${JSON.stringify(predicted.blocked_in_chrome || predicted.missing)})`, `browser: ${browser}`);
  check(checker === browser, 'checker (on the real responses) vs browser', `checker: ${checker} (${JSON.stringify(real.blocked_in_chrome || real.missing)})`, `browser: ${browser}`);

  // The console message.
  const messages = consoleLines.filter((m) => m.startsWith(`${CONSOLE_PREFIX}'${url}'`));
  const message = messages[0] || null;
  if (browser === 'blocked') {
    const want = real.blocked_in_chrome && real.blocked_in_chrome.message;
    check(message === want, 'console message vs checker', `chromium: ${message}`, `checker:  ${want}`);
    const fromEngine = predicted.blocked_in_chrome && predicted.blocked_in_chrome.message;
    check(message === fromEngine, 'console message vs engine prediction', `chromium: ${message}`, `engine:   ${fromEngine}`);
    const denial = [enginePre, engineAct].find((d) => d && !d.allowed && d.reason);
    if (denial && denial.reason.browser_message) {
      check(message === denial.reason.browser_message, `console message vs the engine's reason (${denial.reason.code})`, `chromium: ${message}`, `engine:   ${denial.reason.browser_message}`);
    }
  } else {
    check(messages.length === 0, 'no console error for an allowed request', `chromium: ${messages.join(' | ')}`, 'checker:  (none)');
  }

  // The preflight the browser sent is the one the checker planned.
  const plan = real.preflight_request;
  check(!!plan === !!preflightEx, 'preflight sent', `chromium: ${preflightEx ? 'yes' : 'no'}`, `checker:  ${plan ? 'yes' : 'no'} ${plan ? JSON.stringify(plan.reasons) : ''}`);
  if (plan && preflightEx) {
    const acrm = header(preflightEx.requestHeaders, 'access-control-request-method');
    const acrh = header(preflightEx.requestHeaders, 'access-control-request-headers');
    check(acrm === plan.method, 'Access-Control-Request-Method', `chromium: ${acrm}`, `checker:  ${plan.method}`);
    check((acrh || '') === (plan.request_headers || ''), 'Access-Control-Request-Headers', `chromium: ${acrh}`, `checker:  ${plan.request_headers}`);
  }

  // The server answered what the engine decided (same policy, same answer).
  // Compared in name order (stable, so same-name lines keep theirs): waitress sorts the
  // header lines of every response by name, and order means nothing to a browser.
  const lines = (list) => list.map(([n, v]) => [n.toLowerCase(), v]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([n, v]) => `${n}: ${v}`);
  for (const [x, d, what] of [[preflightEx, enginePre, 'preflight'], [rejected ? null : actualEx, engineAct, 'actual']]) {
    if (!x || !d || !x.status) continue;
    const sent = lines(x.headers.filter(isCors));
    const decided = lines(d.headers);
    check(JSON.stringify(sent) === JSON.stringify(decided), `${what} CORS headers: server vs engine`, `server: ${JSON.stringify(sent)}`, `engine: ${JSON.stringify(decided)}`);
    if (d.status !== null) check(x.status === d.status, `${what} status: server vs engine`, `server: ${x.status}`, `engine: ${d.status}`);
    const vary = lower((header(x.headers, 'vary') || '').split(',').map((s) => s.trim()).filter(Boolean));
    const missing = d.vary.filter((v) => !vary.includes(v.toLowerCase()));
    check(missing.length === 0, `${what} Vary: server vs engine`, `server: ${vary.join(', ')}`, `engine: ${d.vary.join(', ')}`);
  }

  // Readable response headers: what JavaScript saw vs the checker.
  if (first.resolved && real.response) {
    const saw = lower(first.readable);
    const want = lower(real.response.readable_headers);
    check(JSON.stringify(saw) === JSON.stringify(want), 'readable response headers', `chromium: ${saw.join(', ')}`, `checker:  ${want.join(', ')}`);
    for (const h of kase.readable || []) check(saw.includes(h), `${h} readable`, `chromium: ${saw.join(', ')}`, `expected: ${h}`);
    for (const h of kase.hidden || []) check(!saw.includes(h), `${h} hidden`, `chromium: ${saw.join(', ')}`, `expected: not ${h}`);
    const status = (kase.statusBy && kase.statusBy[server.name]) || kase.status || 200;
    check(first.status === status, 'status', `chromium: ${first.status}`, `expected: ${status}`);
  }

  // Cookies: sent with credentials: 'include' only, and read by the application.
  if (kase.cookie !== undefined && actualEx) {
    const cookie = header(actualEx.requestHeaders, 'cookie');
    const want = kase.cookie ? `sid=${server.name}` : null;
    check(cookie === want, 'Cookie sent', `chromium: ${cookie}`, `expected: ${want}`);
    if (first.resolved) {
      const body = JSON.parse(first.body);
      check(body.cookie === (kase.cookie ? server.name : null), 'cookie read by the app', `app:      ${body.cookie}`, `expected: ${kase.cookie ? server.name : null}`);
    }
  }

  // Preflight cache: how many preflights `repeat` fetches sent.
  if (kase.repeat) {
    const sent = exchanges.filter(isPreflight).length;
    const cache = real.preflight && real.preflight.cache_seconds;
    const byChecker = cache && cache.chromium > 0 ? 1 : kase.repeat;
    check(sent === kase.preflights, 'preflights sent (max-age)', `chromium: ${sent}`, `expected: ${kase.preflights}`);
    check(sent === byChecker, 'preflights sent vs the checker\'s cache lifetime', `chromium: ${sent}`, `checker:  ${byChecker} (Chromium caches ${cache && cache.chromium} s)`);
    check(observed.every((o) => o.resolved), 'every repeated fetch resolved', JSON.stringify(observed.map((o) => o.resolved)), 'all true');
  }

  return {
    case: kase.id,
    server: server.name,
    url,
    expect: expected,
    browser,
    engine,
    checker,
    status: first.status || null,
    message,
    readable: first.readable || null,
    problems,
  };
}

/**
 * Runs every case on every named server. `onReady(context, version)` runs once the browser
 * is up, `onResult(result)` for each result as it is known, `report(page, results, version)`
 * at the end while the servers still run. Resolves to the results (one per case and server
 * that applies).
 */
async function runMatrix(names, { onResult = () => {}, onReady = null, headless = true, report = null } = {}) {
  const proxy = new Proxy();
  const proxyPort = await proxy.listen();
  const started = await servers.start(names);
  let browser;
  try {
    for (const s of started) proxy.backends.set(s.name, s.port);
    browser = await launch(proxyPort, { headless });
    const { context } = browser;
    const consoleLines = [];
    // Every page's and frame's console (the sandboxed iframes' included).
    context.on('console', (m) => {
      if (m.text().startsWith(CONSOLE_PREFIX)) consoleLines.push(m.text());
    });
    const page = await context.newPage();

    // The cookie each server's app sets.
    for (const s of started) {
      const p = await context.newPage();
      const r = await p.goto(`http://${apiHost(s.name)}/credentials/cookie/set`);
      if (!r || r.status() !== 200) throw new Error(`${s.name}: cookie/set answered ${r && r.status()}`);
      await p.close();
    }
    await page.goto(`${PAGE_ORIGIN}/`);
    // The other page origins, one tab each.
    const tabs = { page, null: page };
    for (const [from, origin] of Object.entries(PAGE_ORIGINS)) {
      if (tabs[from]) continue;
      tabs[from] = await context.newPage();
      await tabs[from].goto(`${origin}/`);
    }
    if (onReady) await onReady(context, browser.version);

    const jobs = [];
    for (const s of started) {
      for (const kase of cases) {
        if (kase.only && !kase.only.includes(s.name)) continue;
        const url = `http://${apiHost(s.name)}${kase.path}?case=${kase.id}${kase.query ? `&${kase.query}` : ''}`;
        jobs.push({ server: s, kase, url });
      }
    }
    const observed = await pool(jobs, 6, (j) =>
      tabs[j.kase.from || 'page'].evaluate((a) => window.runCase(a), { url: j.url, init: j.kase.init || {}, from: j.kase.from || 'page', repeat: j.kase.repeat || 1 }),
    );
    // Console messages arrive on their own channel: wait (bounded) for one per rejected fetch.
    const rejected = jobs.filter((j, i) => !observed[i][0].resolved);
    for (let i = 0; i < 50; i++) {
      if (rejected.every((j) => consoleLines.some((m) => m.startsWith(`${CONSOLE_PREFIX}'${j.url}'`)))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const results = await pool(jobs, 4, async (j, i) => {
      const r = await analyze(j.kase, j.server, j.url, observed[i], proxy.recorded(j.url), consoleLines);
      onResult(r);
      return r;
    });
    if (report) await report(page, results, browser.version);
    return results;
  } finally {
    if (browser) await browser.close();
    await servers.stop(started);
    await proxy.close();
    predict.cleanup();
  }
}

module.exports = { runMatrix, cases };
