'use strict';
// Loads the compiled addon, first that fits of:
// 1. the platform package `@corsgate/<platform>-<arch>[-<abi>]` (an optional dependency of the
//    published `corsgate`, holding the prebuilt `.node`: an install compiles nothing);
// 2. `corsgate.<platform>-<arch>[-<abi>].node` next to the package (as `napi build --platform`
//    and build.js name it: a checkout after `make node-build`);
// 3. a checkout (Rust sources present) without either: build it now, once, with cargo.
// Otherwise it throws an error that says what is missing and how to get it.
const path = require('node:path');
const fs = require('node:fs');

/** The prebuilt platforms, as `@corsgate/<triple>` packages (packaging/npm/stage.js). */
const PREBUILT = ['linux-x64-gnu'];

function abiSuffix() {
  if (process.platform !== 'linux') return '';
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  const glibc = report && report.header && report.header.glibcVersionRuntime;
  return glibc ? '-gnu' : '-musl';
}

const root = path.join(__dirname, '..');
const triple = `${process.platform}-${process.arch}${abiSuffix()}`;
const platformPackage = `@corsgate/${triple}`;
const file = path.join(root, `corsgate.${triple}.node`);

/** The platform package's addon, or null when it is not installed. */
function fromPlatformPackage() {
  try {
    return require(platformPackage);
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(platformPackage)) {
      return null;
    }
    throw err;
  }
}

/** The workspace's `rust-version` in a checkout ("Rust 1.75 or newer"), else "Rust". */
function rustNeeded() {
  const manifest = path.join(root, '..', 'Cargo.toml');
  const text = fs.existsSync(manifest) ? fs.readFileSync(manifest, 'utf8') : '';
  const found = /^rust-version\s*=\s*"([^"]+)"/m.exec(text);
  return found ? `Rust ${found[1]} or newer` : 'Rust';
}

/** Builds the addon from a checkout's Rust sources (stderr shows cargo's output). */
function buildFromSource() {
  const { spawnSync } = require('node:child_process');
  const cargo = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
  if (cargo.error || cargo.status !== 0) {
    throw new Error(
      `corsgate: no prebuilt addon for ${triple} and no Rust toolchain to build one: ` +
        `install ${rustNeeded()} (https://rustup.rs) and require corsgate again, ` +
        `or build it in the checkout with \`make node-build\` (it writes corsgate.${triple}.node).`,
    );
  }
  process.stderr.write(`corsgate: building the native addon corsgate.${triple}.node from source (once)...\n`);
  const built = spawnSync(process.execPath, [path.join(root, 'build.js')], { stdio: ['ignore', 2, 2] });
  if (built.status !== 0 || !fs.existsSync(file)) {
    throw new Error(`corsgate: building corsgate.${triple}.node with cargo failed (its output is above)`);
  }
}

function load() {
  const prebuilt = fromPlatformPackage();
  if (prebuilt !== null) return prebuilt;
  if (fs.existsSync(file)) return require(file);
  if (fs.existsSync(path.join(root, 'Cargo.toml'))) {
    buildFromSource();
    return require(file);
  }
  const supported = PREBUILT.includes(triple)
    ? `its optional dependency ${platformPackage} is not installed (was it installed with ` +
      '--omit=optional or --no-optional? reinstall corsgate without it)'
    : `there is no prebuilt binary for ${triple} (prebuilt: ${PREBUILT.join(', ')})`;
  throw new Error(
    `corsgate: cannot load the native addon: ${supported}. To build it from source, clone ` +
      'the corsgate repository and run `npm install ./bindings-node` with Rust on PATH ' +
      '(README, "From source").',
  );
}

module.exports = load();
