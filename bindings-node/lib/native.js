'use strict';
// Loads the compiled addon: `corsgate.<platform>-<arch>[-<abi>].node`, as `napi build --platform`
// and build.js name it.
const path = require('node:path');
const fs = require('node:fs');

function abiSuffix() {
  if (process.platform !== 'linux') return '';
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  const glibc = report && report.header && report.header.glibcVersionRuntime;
  return glibc ? '-gnu' : '-musl';
}

const root = path.join(__dirname, '..');
const name = `corsgate.${process.platform}-${process.arch}${abiSuffix()}.node`;
const file = path.join(root, name);
if (!fs.existsSync(file) && fs.existsSync(path.join(root, 'Cargo.toml'))) {
  // A source install whose install script did not run (npm 11 runs dependencies' install
  // scripts only once approved): build now, once, with the output on stderr.
  const { spawnSync } = require('node:child_process');
  process.stderr.write(`corsgate: building the native addon ${name} (once)...\n`);
  spawnSync(process.execPath, [path.join(root, 'build.js')], { stdio: ['ignore', 2, 2] });
}
if (!fs.existsSync(file)) {
  throw new Error(
    `corsgate: the native addon ${name} is missing in ${root}; build it with ` +
      '`npm run build` (or reinstall the package: its install script runs cargo)',
  );
}
module.exports = require(file);
