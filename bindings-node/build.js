'use strict';
// Builds the native addon from source with cargo when it is missing or older than the Rust
// sources. There is no install script: lib/native.js runs this on the first require() when no
// prebuilt addon fits (a fresh `npm install ./bindings-node`, or the published package on a
// platform without a platform package). The sources are a checkout's (Cargo.toml next to this
// file, the workspace one level up) or the copy the published package carries in rust/
// (packaging/npm/stage.js). It runs `napi build` when @napi-rs/cli is installed (a development
// checkout) and plain cargo otherwise; both write corsgate.<platform>-<arch>-<abi>.node next to
// this file. In a checkout CARGO_TARGET_DIR defaults to <repository>/target/node, apart from
// the workspace's target/, so this build never waits on (or invalidates) other crates' builds.
// CORSGATE_SKIP_BUILD=1 skips it (the Makefile builds in its own step).

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const here = __dirname;
const sources = require('./lib/sources.js');

function newestSource(dirs) {
  let newest = 0;
  const walk = (p) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) if (e !== 'node_modules' && e !== 'target') walk(path.join(p, e));
    } else if (/\.(rs|toml)$/.test(p)) {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  dirs.forEach(walk);
  return newest;
}

function addonName() {
  const report = process.report && process.report.getReport ? process.report.getReport() : null;
  const abi =
    process.platform !== 'linux' ? '' : report && report.header.glibcVersionRuntime ? '-gnu' : '-musl';
  return `corsgate.${process.platform}-${process.arch}${abi}.node`;
}

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: here, stdio: 'inherit', env });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status || 1);
}

function main() {
  if (process.env.CORSGATE_SKIP_BUILD === '1') return;
  const rust = sources.find();
  if (rust === null) throw new Error('corsgate: build.js: no Rust sources next to this package');
  const addon = path.join(here, addonName());
  const built = fs.statSync(addon, { throwIfNoEntry: false });
  const crate = path.dirname(rust.manifest);
  const newest = newestSource([path.join(crate, 'src'), rust.manifest, path.join(rust.workspace, 'core')]);
  if (built && built.mtimeMs >= newest) return;
  const targetDir = process.env.CARGO_TARGET_DIR || rust.targetDir;
  const env = { ...process.env, CARGO_TARGET_DIR: targetDir };
  const cli = path.join(here, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js');
  if (fs.existsSync(cli)) {
    run(process.execPath, [cli, 'build', '--platform', '--release', '--no-js', '--dts', 'native.d.ts', '--target-dir', targetDir], env);
    return;
  }
  run('cargo', ['build', '--release', '--lib', '--manifest-path', rust.manifest], env);
  const lib = { linux: 'libcorsgate_node.so', darwin: 'libcorsgate_node.dylib', win32: 'corsgate_node.dll' }[process.platform];
  fs.copyFileSync(path.join(targetDir, 'release', lib), addon);
  // The published package's own build directory (rust/target, some 200 MB) is not kept in
  // node_modules: the addon is built once.
  if (rust.packaged && !process.env.CARGO_TARGET_DIR) fs.rmSync(targetDir, { recursive: true, force: true });
}

main();
