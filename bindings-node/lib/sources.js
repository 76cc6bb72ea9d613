'use strict';
// Where the addon's Rust sources are, for a build from source (build.js, lib/native.js):
// - a checkout: bindings-node/Cargo.toml, in the repository's workspace one level up;
// - the published package: the copy packaging/npm/stage.js puts in rust/ (a workspace of core/
//   and bindings-node/ with the repository's Cargo.lock).
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

/**
 * `{manifest, workspace, targetDir, packaged}` of the addon's crate, or null when the package
 * carries no Rust sources.
 */
function find() {
  if (fs.existsSync(path.join(root, 'Cargo.toml'))) {
    const workspace = path.join(root, '..');
    return {
      manifest: path.join(root, 'Cargo.toml'),
      workspace,
      targetDir: path.join(workspace, 'target', 'node'),
      packaged: false,
    };
  }
  const packaged = path.join(root, 'rust');
  if (fs.existsSync(path.join(packaged, 'bindings-node', 'Cargo.toml'))) {
    return {
      manifest: path.join(packaged, 'bindings-node', 'Cargo.toml'),
      workspace: packaged,
      targetDir: path.join(packaged, 'target'),
      packaged: true,
    };
  }
  return null;
}

/** "Rust 1.88 or newer", from the workspace's `rust-version` ("Rust" when it has none). */
function rustNeeded(workspace) {
  const manifest = path.join(workspace, 'Cargo.toml');
  const text = fs.existsSync(manifest) ? fs.readFileSync(manifest, 'utf8') : '';
  const found = /^rust-version\s*=\s*"([^"]+)"/m.exec(text);
  return found ? `Rust ${found[1]} or newer` : 'Rust';
}

module.exports = { find, rustNeeded };
