'use strict';
// Loads the compiled addon, first that fits of:
// 1. the platform package `@corsgate/<platform>-<arch>[-<abi>]` (an optional dependency of the
//    published `corsgate`, holding the prebuilt `.node`: an install compiles nothing);
// 2. `corsgate.<platform>-<arch>[-<abi>].node` next to the package (as `napi build --platform`
//    and build.js name it: a checkout after `make node-build`);
// 3. neither: build it now, once, with cargo, from the Rust sources of a checkout or the copy
//    the published package carries (lib/sources.js).
// Otherwise it throws an error that says what is missing and how to get it.
const path = require('node:path');
const fs = require('node:fs');
const sources = require('./sources.js');

/** The prebuilt platforms, as `@corsgate/<triple>` packages (PLATFORM in packaging/npm/stage.js). */
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

/** Why no prebuilt addon fits, in words. */
function whyNoPrebuilt() {
  return PREBUILT.includes(triple)
    ? `its optional dependency ${platformPackage} is not installed (installed with --omit=optional?)`
    : `there is no prebuilt binary for ${triple} (prebuilt: ${PREBUILT.join(', ')})`;
}

/** Builds the addon from the Rust sources `rust` (stderr shows cargo's output). */
function buildFromSource(rust) {
  const { spawnSync } = require('node:child_process');
  const cargo = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
  if (cargo.error || cargo.status !== 0) {
    throw new Error(
      `corsgate: no prebuilt addon for ${triple} and no Rust toolchain to build one: ${whyNoPrebuilt()}; ` +
        `install ${sources.rustNeeded(rust.workspace)} (https://rustup.rs) and require corsgate again ` +
        '(the build runs once, about a minute).',
    );
  }
  process.stderr.write(
    `corsgate: building the native addon corsgate.${triple}.node from source (once; ${whyNoPrebuilt()})...\n`,
  );
  const built = spawnSync(process.execPath, [path.join(root, 'build.js')], { stdio: ['ignore', 2, 2] });
  if (built.status !== 0 || !fs.existsSync(file)) {
    throw new Error(`corsgate: building corsgate.${triple}.node with cargo failed (its output is above)`);
  }
}

function load() {
  const prebuilt = fromPlatformPackage();
  if (prebuilt !== null) return prebuilt;
  if (fs.existsSync(file)) return require(file);
  const rust = sources.find();
  if (rust === null) {
    throw new Error(
      `corsgate: cannot load the native addon: ${whyNoPrebuilt()}, and this copy has no Rust sources to build one`,
    );
  }
  buildFromSource(rust);
  return require(file);
}

module.exports = load();
