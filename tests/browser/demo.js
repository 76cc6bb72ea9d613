'use strict';
// make demo-browser: starts every server integration once, runs the matrix in every browser
// (Chromium and Firefox ESR, in parallel; windows when $DISPLAY is set, headless otherwise),
// opens the report page in the first and fills the table as results come in: case, what the
// page does, policy, expected, a column per browser and server with that browser's outcome
// (✓ when the browser, the engine, the checker and the expectation agree and the console
// lines are the checker's), and each browser's console reason.
// The table is also printed here, and screenshotted to build/browser/matrix.png.

const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { PAGE_ORIGIN } = require('./lib/proxy.js');
const { runMatrix } = require('./lib/run.js');
const { ALL } = require('./lib/servers.js');
const browsers = require('./lib/browsers.js');
const report = require('./lib/report.js');

const list = (v, all) => (v || all.join(' ')).split(/[\s,]+/).filter(Boolean);
const names = list(process.env.CORSGATE_BROWSER_SERVERS, ALL);
const browserNames = list(process.env.CORSGATE_BROWSERS, browsers.ALL);
const headless = !process.env.DISPLAY;
const out = path.join(__dirname, '..', '..', 'build', 'browser');

async function main() {
  fs.mkdirSync(out, { recursive: true });
  const results = [];
  let view = null;
  const versions = [];
  let pending = null;
  const refresh = () => {
    if (!view || pending) return;
    pending = setTimeout(async () => {
      pending = null;
      await view.evaluate((d) => window.render(d), report.tableData(names, results, versions)).catch(() => {});
    }, 200);
  };
  console.log(`servers: ${names.join(', ')}; browsers: ${browserNames.join(', ')}, ${headless ? 'headless (no $DISPLAY)' : 'in windows'}`);
  await runMatrix(names, {
    browserNames,
    headless,
    onReady: async (handle, b) => {
      versions.push(handle.version);
      if (b.name !== browserNames[0]) return;
      view = await handle.newPage();
      await view.goto(`${PAGE_ORIGIN}/report.html`);
    },
    onResult: (r) => {
      results.push(r);
      refresh();
    },
    report: async (page, all, v) => {
      clearTimeout(pending);
      const file = path.join(out, 'matrix.png');
      await report.screenshot(view || page, report.tableData(names, all, v), file);
      console.log(report.textTable(names, all));
      for (const r of all.filter((x) => x.problems.length)) {
        console.log(`\n✗ ${r.in} ${r.server} ${r.case} (${r.url}):\n  ${r.problems.join('\n  ')}`);
      }
      const bad = all.filter((x) => x.problems.length).length;
      console.log(`\n${all.length} runs, ${bad} disagreements; screenshot: ${path.relative(process.cwd(), file)}`);
      process.exitCode = bad ? 1 : 0;
      if (!headless) {
        const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
        await new Promise((resolve) => rl.question('press Enter to stop the servers and close the browsers ', resolve));
        rl.close();
      }
    },
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
