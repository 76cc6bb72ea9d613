'use strict';
// The real browsers the matrix runs in, each behind the same small interface, so that the
// browser list and the server list (lib/servers.js) grow independently:
//   launch(proxyPort, {headless}) -> {version, newPage(), close()}
//   page: goto(url) -> status, evaluate(fn, arg), close(), raw (the driver's own page)
//   consoleLines(url, lines): this browser's CORS console lines about `url`, in order.
// Every launch gets a fresh temporary profile, and every request goes to the matrix's proxy.
//
// Chromium: Debian's /usr/bin/chromium, driven by playwright-core; its CORS errors are
// console messages of the page ("Access to fetch at '<url>' from origin …").
// Firefox: Debian's /usr/bin/firefox-esr, driven by puppeteer-core over WebDriver BiDi; its
// CORS errors ("Cross-Origin Request Blocked: … at <url>. (Reason: …)") are not console API
// messages but web-console errors of the document (nsIScriptError, category CORS), which
// Firefox's BiDi implementation forwards as `log.entryAdded` entries of type "javascript",
// for the page and for its (sandboxed) iframes: puppeteer emits them as `pageerror`.

const CHROMIUM = process.env.CORSGATE_CHROMIUM || '/usr/bin/chromium';
const FIREFOX = process.env.CORSGATE_FIREFOX || '/usr/bin/firefox-esr';

/** Chromium, through playwright-core. */
const chromium = {
  name: 'chromium',
  label: 'Chromium',
  async launch(proxyPort, { headless = true } = {}) {
    const { chromium: driver } = require('playwright-core');
    const browser = await driver.launch({
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
    const context = await browser.newContext({ viewport: { width: 2200, height: 1000 } });
    const lines = [];
    // Every page's and frame's console (the sandboxed iframes' included).
    context.on('console', (m) => {
      if (m.text().startsWith('Access to fetch at ')) lines.push(m.text());
    });
    return {
      version: `Chromium ${browser.version()}`,
      lines,
      async newPage() {
        const page = await context.newPage();
        return {
          raw: page,
          goto: async (url) => {
            const r = await page.goto(url);
            return r ? r.status() : null;
          },
          evaluate: (fn, arg) => page.evaluate(fn, arg),
          close: () => page.close(),
        };
      },
      close: () => browser.close(),
    };
  },
  consoleLines(url, lines) {
    // One message per blocked fetch; a sandboxed iframe's reaches playwright twice.
    return [...new Set(lines.filter((m) => m.startsWith(`Access to fetch at '${url}'`)))];
  },
};

/** Firefox ESR, through puppeteer-core over WebDriver BiDi. */
const firefox = {
  name: 'firefox',
  label: 'Firefox',
  async launch(proxyPort, { headless = true } = {}) {
    const puppeteer = require('puppeteer-core');
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless,
      defaultViewport: { width: 2200, height: 1000 },
      extraPrefsFirefox: {
        // Every request goes to our proxy (127.0.0.1 included), nothing leaves the machine.
        'network.proxy.type': 1,
        'network.proxy.http': '127.0.0.1',
        'network.proxy.http_port': proxyPort,
        'network.proxy.no_proxies_on': '',
        'network.proxy.allow_hijacking_localhost': true,
        'network.http.http3.enable': false,
      },
    });
    const lines = [];
    return {
      version: `Firefox ${(await browser.version()).replace(/^firefox\//, '')} ESR`,
      lines,
      async newPage() {
        const page = await browser.newPage();
        page.on('pageerror', (e) => {
          if (e.message.startsWith('Cross-Origin Request ')) lines.push(e.message);
        });
        return {
          raw: page,
          goto: async (url) => {
            const r = await page.goto(url);
            return r ? r.status() : null;
          },
          evaluate: (fn, arg) => page.evaluate(fn, arg),
          close: () => page.close(),
        };
      },
      close: () => browser.close(),
    };
  },
  consoleLines(url, lines) {
    return lines.filter((m) => m.includes(` remote resource at ${url}. `) || m.includes(` remote resource at ‘${url}’. `));
  },
};

/** Every browser, in the order the table shows them. */
const BROWSERS = { chromium, firefox };
const ALL = Object.keys(BROWSERS);

/** The named browsers (`CORSGATE_BROWSERS`, default all). */
function named(list) {
  return list.map((n) => {
    if (!BROWSERS[n]) throw new Error(`unknown browser ${n} (known: ${ALL.join(', ')})`);
    return BROWSERS[n];
  });
}

module.exports = { ALL, named };
