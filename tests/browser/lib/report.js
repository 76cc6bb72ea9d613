'use strict';
// The table of results: on the report page (page/report.html, screenshot) and as text.

const { PAGE_ORIGIN } = require('./proxy.js');
const { cases } = require('./cases.js');

const { ALL: BROWSERS } = require('./browsers.js');

// The reason part of each browser's console message.
const TAIL = / has been blocked by CORS policy: (.*)$|\(Reason: (.*)\)\.( Status code: .*)?$/;
const reasonOf = (message) => {
  const m = message && TAIL.exec(message);
  return m ? m[1] || m[2] : null;
};

function policyOf(kase) {
  return `/${kase.path.split('/')[1]}/*`;
}

/** The browsers that have results, in the table's order. */
function browsersOf(results) {
  return BROWSERS.filter((b) => results.some((r) => r.in === b));
}

/** The data the report page renders: a column per browser and server. */
function tableData(servers, results, versions) {
  return {
    servers,
    browsers: browsersOf(results),
    versions,
    cases: cases
      .filter((c) => results.some((r) => r.case === c.id))
      .map((c) => ({ id: c.id, what: c.what, policy: policyOf(c), expect: c.expect })),
    results: results.map((r) => ({ case: r.case, server: r.server, in: r.in, browser: r.browser, reason: reasonOf(r.message), problems: r.problems })),
  };
}

/** Opens the report page in `page` (lib/browsers.js), renders the table, screenshots it. */
async function screenshot(page, data, file) {
  await page.goto(`${PAGE_ORIGIN}/report.html`);
  await page.evaluate((d) => window.render(d), data);
  await page.raw.screenshot({ path: file, fullPage: true });
}

/** One text line per case: the same table for a terminal (a column per browser and server). */
function textTable(servers, results) {
  const lines = [];
  const pad = (s, n) => String(s).padEnd(n);
  const shown = browsersOf(results);
  const columns = shown.flatMap((b) => servers.map((s) => [b, s]));
  const short = (b) => b.slice(0, 2);
  lines.push(`${pad('case', 20)} ${pad('expected', 8)} ${columns.map(([b, s]) => pad(`${short(b)}:${s}`, 10)).join(' ')} console (${shown.join(' | ')})`);
  for (const c of cases) {
    const rs = columns.map(([b, s]) => results.find((r) => r.case === c.id && r.server === s && r.in === b));
    if (!rs.some(Boolean)) continue;
    const cells = rs.map((r) => pad(r ? `${r.browser}${r.problems.length ? '✗' : ''}` : '-', 10));
    const reasons = shown.map((b) => results.filter((r) => r.case === c.id && r.in === b).map((r) => reasonOf(r.message)).find(Boolean) || '');
    lines.push(`${pad(c.id, 20)} ${pad(c.expect, 8)} ${cells.join(' ')} ${reasons.some(Boolean) ? reasons.join(' | ') : ''}`);
  }
  return lines.join('\n');
}

module.exports = { tableData, screenshot, textTable };
