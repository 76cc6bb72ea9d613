'use strict';
// make test-browser: every case of lib/cases.js on every server integration in headless
// Chromium; each (case, server) is a subtest that fails with both sides of any disagreement
// (lib/run.js says what is compared). The report page is screenshotted to
// $CORSGATE_SCREENSHOT (make test-browser: docs/img/browser-matrix.png).

const assert = require('node:assert/strict');
const test = require('node:test');
const { runMatrix } = require('./lib/run.js');
const { ALL } = require('./lib/servers.js');
const report = require('./lib/report.js');

const names = (process.env.CORSGATE_BROWSER_SERVERS || ALL.join(' ')).split(/[\s,]+/).filter(Boolean);

test('headless Chromium agrees with the engine and the checker on every server', { timeout: 280_000 }, async (t) => {
  const results = await runMatrix(names, {
    report: async (page, results, version) => {
      if (process.env.CORSGATE_SCREENSHOT) {
        await report.screenshot(page, report.tableData(names, results, version), process.env.CORSGATE_SCREENSHOT);
      }
    },
  });
  const cases = new Set(results.map((r) => r.case));
  assert.ok(cases.size >= 60, `at least 60 cases (${cases.size})`);
  for (const name of names) assert.ok(results.some((r) => r.server === name), `${name} ran`);
  for (const r of results) {
    await t.test(`${r.server} ${r.case}`, () => {
      if (r.problems.length) assert.fail(`${r.server} ${r.case} (${r.url}):\n  ${r.problems.join('\n  ')}`);
    });
  }
});
