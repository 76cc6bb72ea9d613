'use strict';
// Runs the matrix in each real browser (lib/browsers.js: Chromium, Firefox ESR) against each
// server (lib/servers.js), the browsers in parallel on the same servers, and compares, for
// every case, server and browser, three answers:
//   browser  what the browser did: fetch() resolved or rejected, the headers JavaScript could
//            read, the console errors it printed, the preflights it sent;
//   engine   the engine's decision on the requests the browser sent (`corsgate check`), turned
//            into that browser's outcome by the checker: the prediction from the policy alone;
//   checker  the checker's outcome for that browser (`corsgate explain`) on the responses the
//            server actually sent: verdict, readable headers, the console lines.
// plus the case's hand-written expectation. Any disagreement is a failure that names both sides.

const { Proxy, PAGE_ORIGIN, PAGE_ORIGINS, apiHost } = require('./proxy.js');
const predict = require('./predict.js');
const servers = require('./servers.js');
const browsers = require('./browsers.js');
const { cases } = require('./cases.js');

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

/** Everything known about one case on one server in one browser, and the disagreements. */
async function analyze(kase, server, url, observed, exchanges, consoleLines, inBrowser) {
  const name = inBrowser.name;
  const label = inBrowser.label;
  const verdictIn = (outcome) => outcome.browsers[name].verdict;
  const errorIn = (outcome) => outcome.browsers[name].error;
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

  const engine = verdictIn(predicted);
  const checker = verdictIn(real);
  check(expected === browser, 'expected vs browser', `expected: ${expected}`, `${name}: ${browser} ${first.error || ''}`);
  check(engine === browser, 'engine vs browser', `engine:  ${engine} (${JSON.stringify(errorIn(predicted) || predicted.missing)})`, `${name}: ${browser}`);
  check(checker === browser, 'checker (on the real responses) vs browser', `checker: ${checker} (${JSON.stringify(errorIn(real) || real.missing)})`, `${name}: ${browser}`);

  // The console lines: Chromium prints one message per blocked fetch, Firefox one or two (a
  // failed preflight is followed by one for the request it stopped); all are compared.
  const messages = inBrowser.consoleLines(url, consoleLines);
  const message = messages[0] || null;
  const show = (lines) => (lines ? lines.join('\n                ') : null);
  if (browser === 'blocked') {
    const want = errorIn(real) && errorIn(real).console;
    check(JSON.stringify(messages) === JSON.stringify(want), 'console vs checker', `${name}: ${show(messages)}`, `checker:  ${show(want)}`);
    const fromEngine = errorIn(predicted) && errorIn(predicted).console;
    check(JSON.stringify(messages) === JSON.stringify(fromEngine), 'console vs engine prediction', `${name}: ${show(messages)}`, `engine:   ${show(fromEngine)}`);
    const denial = [[enginePre, preflightEx], [engineAct, actualEx]].find(([d]) => d && !d.allowed && d.reason);
    if (denial) {
      const [d, x] = denial;
      // The engine's own words for its denial; Firefox prints the status it was answered with.
      const lines = d.reason.browser_messages[name].map((l) => l.replace('<status>', String(x && x.status)));
      check(JSON.stringify(messages) === JSON.stringify(lines), `console vs the engine's reason (${d.reason.code})`, `${name}: ${show(messages)}`, `engine:   ${show(lines)}`);
    }
  } else {
    check(messages.length === 0, 'no console error for an allowed request', `${name}: ${messages.join(' | ')}`, 'checker:  (none)');
  }

  // The preflight the browser sent is the one the checker planned.
  const plan = real.preflight_request;
  check(!!plan === !!preflightEx, 'preflight sent', `${name}: ${preflightEx ? 'yes' : 'no'}`, `checker:  ${plan ? 'yes' : 'no'} ${plan ? JSON.stringify(plan.reasons) : ''}`);
  if (plan && preflightEx) {
    const acrm = header(preflightEx.requestHeaders, 'access-control-request-method');
    const acrh = header(preflightEx.requestHeaders, 'access-control-request-headers');
    check(acrm === plan.method, 'Access-Control-Request-Method', `${name}: ${acrm}`, `checker:  ${plan.method}`);
    check((acrh || '') === (plan.request_headers || ''), 'Access-Control-Request-Headers', `${name}: ${acrh}`, `checker:  ${plan.request_headers}`);
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
    check(cookie === want, 'Cookie sent', `${name}: ${cookie}`, `expected: ${want}`);
    if (first.resolved) {
      const body = JSON.parse(first.body);
      check(body.cookie === (kase.cookie ? server.name : null), 'cookie read by the app', `app:      ${body.cookie}`, `expected: ${kase.cookie ? server.name : null}`);
    }
  }

  // Preflight cache: how many preflights `repeat` fetches sent.
  if (kase.repeat) {
    const sent = exchanges.filter(isPreflight).length;
    const cache = real.browsers[name].cache_seconds;
    const byChecker = cache > 0 ? 1 : kase.repeat;
    check(sent === kase.preflights, 'preflights sent (max-age)', `${name}: ${sent}`, `expected: ${kase.preflights}`);
    check(sent === byChecker, 'preflights sent vs the checker\'s cache lifetime', `${name}: ${sent}`, `checker:  ${byChecker} (${label} caches ${cache} s)`);
    check(observed.every((o) => o.resolved), 'every repeated fetch resolved', JSON.stringify(observed.map((o) => o.resolved)), 'all true');
  }

  return {
    case: kase.id,
    server: server.name,
    in: name,
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
 * Runs every case on every named server in one browser (`inBrowser`, from lib/browsers.js),
 * through its own recording proxy. Resolves to {results, handle, version}; the browser stays
 * open (the caller closes `handle`).
 */
async function runIn(inBrowser, started, { onResult, onReady, headless }) {
  const proxy = new Proxy();
  const proxyPort = await proxy.listen();
  for (const s of started) proxy.backends.set(s.name, s.port);
  let handle;
  try {
    handle = await inBrowser.launch(proxyPort, { headless });
    const page = await handle.newPage();
    // The cookie each server's app sets.
    for (const s of started) {
      const p = await handle.newPage();
      const status = await p.goto(`http://${apiHost(s.name)}/credentials/cookie/set`);
      if (status !== 200) throw new Error(`${inBrowser.name} ${s.name}: cookie/set answered ${status}`);
      await p.close();
    }
    await page.goto(`${PAGE_ORIGIN}/`);
    // The other page origins, one tab each.
    const tabs = { page, null: page };
    for (const [from, origin] of Object.entries(PAGE_ORIGINS)) {
      if (tabs[from]) continue;
      tabs[from] = await handle.newPage();
      await tabs[from].goto(`${origin}/`);
    }
    if (onReady) await onReady(handle, inBrowser);

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
      if (rejected.every((j) => inBrowser.consoleLines(j.url, handle.lines).length > 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Firefox prints the second line of a failed preflight a little later: settle.
    await new Promise((r) => setTimeout(r, 300));
    const results = await pool(jobs, 4, async (j, i) => {
      const r = await analyze(j.kase, j.server, j.url, observed[i], proxy.recorded(j.url), handle.lines, inBrowser);
      onResult(r);
      return r;
    });
    return { results, handle, page, version: handle.version, proxy };
  } catch (e) {
    if (handle) await handle.close();
    await proxy.close();
    throw e;
  }
}

/**
 * Runs every case on every named server in every named browser, the browsers in parallel on
 * the same servers. `onReady(handle, browser)` runs once a browser is up, `onResult(result)`
 * for each result as it is known, `report(page, results, versions)` at the end while the
 * servers and the first browser still run. Resolves to the results (one per case, server
 * that applies, and browser; `in` names the browser).
 */
async function runMatrix(names, { browserNames = browsers.ALL, onResult = () => {}, onReady = null, headless = true, report = null } = {}) {
  const started = await servers.start(names);
  const runs = [];
  try {
    const settled = await Promise.allSettled(
      browsers.named(browserNames).map((b) => runIn(b, started, { onResult, onReady, headless })),
    );
    for (const s of settled) if (s.status === 'fulfilled') runs.push(s.value);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const results = runs.flatMap((r) => r.results);
    if (report) await report(runs[0].page, results, runs.map((r) => r.version));
    return results;
  } finally {
    for (const r of runs) {
      await r.handle.close();
      await r.proxy.close();
    }
    await servers.stop(started);
    predict.cleanup();
  }
}

module.exports = { runMatrix, cases };
