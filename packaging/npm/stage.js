'use strict';
// Stages the npm packages of the napi-rs platform-package layout, for `npm pack`:
//   <out>/corsgate/             the JavaScript package; optionalDependencies name the platform
//                               packages, npm installs the one whose os/cpu/libc fit
//   <out>/linux-x64-gnu/        `@corsgate/linux-x64-gnu`: only the prebuilt .node
// Neither has an install script (nothing runs at install time). The version is Cargo.toml's
// ([workspace.package] version), the one version of every corsgate artefact.
//
//   node packaging/npm/stage.js <out dir> <prebuilt .node>

const fs = require('node:fs');
const path = require('node:path');

const repo = path.join(__dirname, '..', '..');
const source = path.join(repo, 'bindings-node');

/** The platform packages: npm's os/cpu/libc fields and the addon file name napi-rs uses. */
const PLATFORMS = [{ triple: 'linux-x64-gnu', os: 'linux', cpu: 'x64', libc: 'glibc' }];

/** What the JavaScript package ships of bindings-node/ (its `files`, minus the Rust build). */
const NOT_SHIPPED = new Set(['build.js', 'Cargo.toml', 'build.rs', 'src/', '*.node']);

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

function stageMain(pkg, version, dir) {
  const files = pkg.files.filter((f) => !NOT_SHIPPED.has(f));
  for (const f of files) {
    fs.cpSync(path.join(source, f), path.join(dir, f), { recursive: true });
  }
  fs.copyFileSync(path.join(repo, 'README.md'), path.join(dir, 'README.md'));
  const optional = {};
  for (const p of PLATFORMS) optional[`@corsgate/${p.triple}`] = version;
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
    `# @corsgate/${platform.triple}\n\nThe prebuilt native addon of [corsgate](https://www.npmjs.com/package/corsgate) ` +
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
    throw new Error(`stage.js: bindings-node/package.json says ${pkg.version}, Cargo.toml ${version}: run packaging/version.sh ${version}`);
  }
  fs.rmSync(out, { recursive: true, force: true });
  const main = path.join(out, 'corsgate');
  fs.mkdirSync(main, { recursive: true });
  stageMain(pkg, version, main);
  for (const p of PLATFORMS) {
    const dir = path.join(out, p.triple);
    fs.mkdirSync(dir, { recursive: true });
    stagePlatform(pkg, version, p, addon, dir);
  }
  console.log(`staged corsgate ${version} and ${PLATFORMS.map((p) => `@corsgate/${p.triple}`).join(', ')} in ${out}`);
}

main();
