'use strict';
// make demo-browser: starts every server integration, opens Chromium (a window when $DISPLAY
// is set, headless otherwise) on the report page, runs the matrix in the test page and fills
// the table as results come in: case, what the page does, policy, expected, each server's
// outcome in the browser (✓ when the browser, the engine, the checker and the expectation
// agree and the console message is the checker's), and Chromium's console message.
// The table is also printed here, and screenshotted to build/browser/matrix.png.

const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { PAGE_ORIGIN } = require('./lib/proxy.js');
const { runMatrix } = require('./lib/run.js');
const { ALL } = require('./lib/servers.js');
const report = require('./lib/report.js');

const names = (process.env.CORSGATE_BROWSER_SERVERS || ALL.join(' ')).split(/[\s,]+/).filter(Boolean);
const headless = !process.env.DISPLAY;
const out = path.join(__dirname, '..', '..', 'build', 'browser');

async function main() {
  fs.mkdirSync(out, { recursive: true });
  const results = [];
  let view = null;
  let version = '';
  let pending = null;
  const refresh = () => {
    if (!view || pending) return;
    pending = setTimeout(async () => {
      pending = null;
      await view.evaluate((d) => window.render(d), report.tableData(names, results, version)).catch(() => {});
    }, 200);
  };
  console.log(`servers: ${names.join(', ')}; Chromium ${headless ? 'headless (no $DISPLAY)' : 'in a window'}`);
  await runMatrix(names, {
    headless,
    onReady: async (context, v) => {
      version = v;
      view = await context.newPage();
      await view.goto(`${PAGE_ORIGIN}/report.html`);
      await view.bringToFront();
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
        console.log(`\n✗ ${r.server} ${r.case} (${r.url}):\n  ${r.problems.join('\n  ')}`);
      }
      const bad = all.filter((x) => x.problems.length).length;
      console.log(`\n${all.length} runs, ${bad} disagreements; screenshot: ${path.relative(process.cwd(), file)}`);
      process.exitCode = bad ? 1 : 0;
      if (!headless) {
        const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
        await new Promise((resolve) => rl.question('press Enter to stop the servers and close Chromium ', resolve));
        rl.close();
      }
    },
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
