'use strict';
// make test-browser: every case of lib/cases.js on every server integration in every browser
// (headless Chromium and Firefox ESR, in parallel on the same servers); each (browser,
// server, case) is a subtest that fails with both sides of any disagreement (lib/run.js says
// what is compared). The report page is screenshotted to $CORSGATE_SCREENSHOT
// (make test-browser: docs/img/browser-matrix.png).

const assert = require('node:assert/strict');
const test = require('node:test');
const { runMatrix } = require('./lib/run.js');
const { ALL } = require('./lib/servers.js');
const browsers = require('./lib/browsers.js');
const report = require('./lib/report.js');

const list = (v, all) => (v || all.join(' ')).split(/[\s,]+/).filter(Boolean);
const names = list(process.env.CORSGATE_BROWSER_SERVERS, ALL);
const browserNames = list(process.env.CORSGATE_BROWSERS, browsers.ALL);

test(`headless ${browserNames.join(' and ')} agree with the engine and the checker on every server`, { timeout: 400_000 }, async (t) => {
  const results = await runMatrix(names, {
    browserNames,
    report: async (page, results, versions) => {
      if (process.env.CORSGATE_SCREENSHOT) {
        await report.screenshot(page, report.tableData(names, results, versions), process.env.CORSGATE_SCREENSHOT);
      }
    },
  });
  const cases = new Set(results.map((r) => r.case));
  assert.ok(cases.size >= 60, `at least 60 cases (${cases.size})`);
  for (const b of browserNames) {
    for (const name of names) assert.ok(results.some((r) => r.server === name && r.in === b), `${name} ran in ${b}`);
  }
  for (const r of results) {
    await t.test(`${r.in} ${r.server} ${r.case}`, () => {
      if (r.problems.length) assert.fail(`${r.in} ${r.server} ${r.case} (${r.url}):\n  ${r.problems.join('\n  ')}`);
    });
  }
});
