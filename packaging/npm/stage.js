'use strict';
// Stages the npm packages of the napi-rs platform-package layout, for `npm pack`:
//   <out>/corsgate/             the JavaScript package; optionalDependencies name the platform
//                               packages, npm installs the one whose os/cpu/libc fit; rust/
//                               holds the sources of a build from source where none fits
//                               (core/ and bindings-node/ as a workspace, with Cargo.lock)
//   <out>/linux-x64-gnu/        `@corsgate/linux-x64-gnu`: only the prebuilt .node
// Neither has an install script (nothing runs at install time). The version is Cargo.toml's
// ([workspace.package] version), the one version of every corsgate artefact.
//
//   node packaging/npm/stage.js <out dir> <the addon built here, corsgate.linux-x64-gnu.node>

const fs = require('node:fs');
const path = require('node:path');

const repo = path.join(__dirname, '..', '..');
const source = path.join(repo, 'bindings-node');

/**
 * The platform package of the addon built here (napi-rs's triple and npm's os/cpu/libc fields).
 * More platforms need their addons built elsewhere; lib/native.js lists the prebuilt ones.
 */
const PLATFORM = { triple: 'linux-x64-gnu', os: 'linux', cpu: 'x64', libc: 'glibc' };

/** What the JavaScript package ships of bindings-node/: its `files`, minus the crate (in rust/). */
const NOT_SHIPPED = new Set(['Cargo.toml', 'build.rs', 'src/', '*.node']);

/** The Rust sources of a build from source, copied to rust/ (paths from the repository). */
const RUST_SOURCES = [
  'Cargo.lock',
  'core/Cargo.toml',
  'core/src',
  'core/benches',
  'core/tests',
  'bindings-node/Cargo.toml',
  'bindings-node/build.rs',
  'bindings-node/src',
];

function cargoVersion() {
  const manifest = fs.readFileSync(path.join(repo, 'Cargo.toml'), 'utf8');
  const section = manifest.split(/^\[workspace\.package\]$/m)[1] || '';
  const found = /^version\s*=\s*"([^"]+)"/m.exec(section);
  if (!found) throw new Error('stage.js: no [workspace.package] version in Cargo.toml');
  return found[1];
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function common(pkg, version) {
  const out = { version, license: pkg.license, engines: pkg.engines };
  if (pkg.repository) out.repository = pkg.repository;
  return out;
}

/** rust/: the workspace manifest with only the two crates the addon needs, and their sources. */
function stageRust(dir) {
  const rust = path.join(dir, 'rust');
  for (const f of RUST_SOURCES) fs.cpSync(path.join(repo, f), path.join(rust, f), { recursive: true });
  const manifest = fs.readFileSync(path.join(repo, 'Cargo.toml'), 'utf8');
  const members = /^members = \[[^\]]*\]$/m;
  if (!members.test(manifest)) throw new Error('stage.js: no `members = [...]` line in Cargo.toml');
  fs.writeFileSync(path.join(rust, 'Cargo.toml'), manifest.replace(members, 'members = ["core", "bindings-node"]'));
}

function stageMain(pkg, version, dir) {
  const files = [...pkg.files.filter((f) => !NOT_SHIPPED.has(f)), 'rust/'];
  for (const f of files.filter((f) => f !== 'rust/')) {
    fs.cpSync(path.join(source, f), path.join(dir, f), { recursive: true });
  }
  stageRust(dir);
  fs.copyFileSync(path.join(repo, 'README.md'), path.join(dir, 'README.md'));
  const optional = { [`@corsgate/${PLATFORM.triple}`]: version };
  writeJson(path.join(dir, 'package.json'), {
    name: pkg.name,
    ...common(pkg, version),
    description: pkg.description,
    main: pkg.main,
    types: pkg.types,
    files,
    optionalDependencies: optional,
  });
}

function stagePlatform(pkg, version, platform, addon, dir) {
  const binary = `corsgate.${platform.triple}.node`;
  fs.copyFileSync(addon, path.join(dir, binary));
  fs.writeFileSync(
    path.join(dir, 'README.md'),
    `# @corsgate/${platform.triple}\n\n` +
      'The prebuilt native addon of [corsgate](https://www.npmjs.com/package/corsgate) ' +
      `for ${platform.os} ${platform.cpu} (${platform.libc}). Install \`corsgate\`, not this package: ` +
      'npm picks it as an optional dependency.\n',
  );
  writeJson(path.join(dir, 'package.json'), {
    name: `@corsgate/${platform.triple}`,
    ...common(pkg, version),
    description: `corsgate's native addon for ${platform.triple} (prebuilt; a dependency of corsgate)`,
    main: binary,
    files: [binary],
    os: [platform.os],
    cpu: [platform.cpu],
    libc: [platform.libc],
  });
}

function main() {
  const [out, addon] = process.argv.slice(2);
  if (!out || !addon) throw new Error('usage: node packaging/npm/stage.js <out dir> <prebuilt .node>');
  const pkg = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8'));
  const version = cargoVersion();
  if (pkg.version !== version) {
    throw new Error(
      `stage.js: bindings-node/package.json says ${pkg.version}, Cargo.toml ${version}: ` +
        `run packaging/version.sh ${version}`,
    );
  }
  fs.rmSync(out, { recursive: true, force: true });
  const main = path.join(out, 'corsgate');
  fs.mkdirSync(main, { recursive: true });
  stageMain(pkg, version, main);
  const dir = path.join(out, PLATFORM.triple);
  fs.mkdirSync(dir, { recursive: true });
  stagePlatform(pkg, version, PLATFORM, addon, dir);
  console.log(`staged corsgate ${version} and @corsgate/${PLATFORM.triple} in ${out}`);
}

main();
