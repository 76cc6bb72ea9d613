'use strict';
// The table of results: on the report page (page/report.html, screenshot) and as text.

const { PAGE_ORIGIN } = require('./proxy.js');
const { cases } = require('./cases.js');

const TAIL = / has been blocked by CORS policy: (.*)$/;

function policyOf(kase) {
  return `/${kase.path.split('/')[1]}/*`;
}

/** The data the report page renders. */
function tableData(servers, results, browser) {
  return {
    servers,
    browser,
    cases: cases
      .filter((c) => results.some((r) => r.case === c.id))
      .map((c) => ({ id: c.id, what: c.what, policy: policyOf(c), expect: c.expect })),
    results: results.map((r) => ({ case: r.case, server: r.server, browser: r.browser, message: r.message, problems: r.problems })),
  };
}

/** Opens the report page in `page`, renders the table, and screenshots it to `file`. */
async function screenshot(page, data, file) {
  await page.setViewportSize({ width: 1600, height: 900 });
  await page.goto(`${PAGE_ORIGIN}/report.html`);
  await page.evaluate((d) => window.render(d), data);
  await page.screenshot({ path: file, fullPage: true });
}

/** One text line per case: the same table for a terminal. */
function textTable(servers, results) {
  const lines = [];
  const pad = (s, n) => String(s).padEnd(n);
  lines.push(`${pad('case', 20)} ${pad('expected', 8)} ${servers.map((s) => pad(s, 9)).join(' ')} console`);
  for (const c of cases) {
    const rs = servers.map((s) => results.find((r) => r.case === c.id && r.server === s));
    if (!rs.some(Boolean)) continue;
    const cells = rs.map((r) => pad(r ? `${r.browser}${r.problems.length ? '✗' : ''}` : '-', 9));
    const m = rs.map((r) => r && r.message && TAIL.exec(r.message)).find(Boolean);
    lines.push(`${pad(c.id, 20)} ${pad(c.expect, 8)} ${cells.join(' ')} ${m ? m[1] : ''}`);
  }
  return lines.join('\n');
}

module.exports = { tableData, screenshot, textTable };
