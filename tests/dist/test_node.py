"""The npm packages of dist/ (the napi-rs platform-package layout), installed as a user would,
with no Rust on PATH.

- `npm install` of `corsgate` and `@corsgate/linux-x64-gnu` into a fresh project (timed): no
  package has an install script, nothing is compiled, and an Express app answers a preflight
  and a request; `require('corsgate').version` is Cargo.toml's version.
- Without the platform package (`--omit=optional`), the package falls back to a build from the
  Rust sources it carries (rust/); without Rust, `require('corsgate')` fails with a message
  that names the missing package and the Rust version needed, not a stack trace from cargo.
- A checkout without a built addon falls back to a build from source; without Rust, the
  `require` fails with a message saying that Rust (the workspace's rust-version) is needed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from harness import (
    APP,
    ROOT,
    VERSION,
    artefact,
    env_without_rust,
    free_port,
    preflight_headers,
    record,
    request,
    run,
    timed,
    wait_for_port,
)

NPM = ["npm", "--no-audit", "--no-fund", "--loglevel=error", "--no-update-notifier"]
# The app's own dependency, pinned as bindings-node's package-lock.json pins it.
EXPRESS = "express@5.3.0"

EXPRESS_APP = f"""
const express = require('express');
const cors = require('corsgate');

const app = express();
app.use(cors({{ origin: ['{APP}'], methods: ['PUT'], allowedHeaders: ['content-type'] }}));
app.put('/orders/42', (req, res) => res.json({{ status: 'stored' }}));
const server = app.listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => server.close());
"""

INSTALL_SCRIPTS = ("preinstall", "install", "postinstall")


class FreshProject(unittest.TestCase):
    """A new npm project per test, with Rust off PATH."""

    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="corsgate-dist-npm-"))
        self.addCleanup(shutil.rmtree, self.dir, True)
        (self.dir / "package.json").write_text('{"name": "app", "version": "1.0.0", "private": true}\n')
        self.env = env_without_rust()
        self.main = artefact(f"corsgate-{VERSION}.tgz")
        self.platform = artefact(f"corsgate-linux-x64-gnu-{VERSION}.tgz")

    def node(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return run(["node", *argv], cwd=self.dir, env=self.env)


class PrebuiltInstall(FreshProject):
    def test_npm_install_runs_no_script_and_express_answers(self) -> None:
        run([*NPM, "install", EXPRESS], cwd=self.dir, env=self.env)
        _, seconds = timed([*NPM, "install", self.main, self.platform], cwd=self.dir, env=self.env)
        record(f"npm install {self.main.name} {self.platform.name}", seconds)

        lock = json.loads((self.dir / "package-lock.json").read_text())
        for name in ("node_modules/corsgate", "node_modules/@corsgate/linux-x64-gnu"):
            self.assertIn(name, lock["packages"])
            self.assertNotIn("hasInstallScript", lock["packages"][name], name)
            manifest = json.loads((self.dir / name / "package.json").read_text())
            self.assertEqual(manifest["version"], VERSION)
            for script in INSTALL_SCRIPTS:
                self.assertNotIn(script, manifest.get("scripts", {}), name)
        self.assertEqual(
            json.loads((self.dir / "node_modules/corsgate/package.json").read_text())["optionalDependencies"],
            {"@corsgate/linux-x64-gnu": VERSION},
        )
        self.assertEqual(self.node("-p", "require('corsgate').version").stdout.strip(), VERSION)

        (self.dir / "app.js").write_text(EXPRESS_APP)
        port = free_port()
        server = subprocess.Popen(["node", "app.js", str(port)], cwd=self.dir, env=self.env)
        self.addCleanup(server.wait)
        self.addCleanup(server.terminate)
        wait_for_port(port, server)

        # The `cors` package (which the drop-in matches) answers an allowed preflight 204 with
        # an empty body, the listed origin echoed and `Content-Length: 0`.
        status, headers, body = request(port, "OPTIONS", "/orders/42", preflight_headers())
        self.assertEqual(status, 204)
        self.assertEqual(body, b"")
        self.assertEqual(headers.get("access-control-allow-origin"), APP)
        self.assertEqual(headers.get("access-control-allow-methods"), "PUT")
        self.assertEqual(headers.get("access-control-allow-headers"), "content-type")

        status, headers, body = request(port, "PUT", "/orders/42", {"Origin": APP})
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("access-control-allow-origin"), APP)
        self.assertEqual(json.loads(body), {"status": "stored"})


def minimum_rust() -> str:
    """The workspace's rust-version, which the messages about a missing Rust name."""
    found = re.search(r'^rust-version\s*=\s*"([^"]+)"', (ROOT / "Cargo.toml").read_text(), re.M)
    assert found is not None, "Cargo.toml has no rust-version"
    return found.group(1)


class WithoutPlatformPackage(FreshProject):
    def test_require_without_rust_names_the_missing_package_and_rust(self) -> None:
        run([*NPM, "install", "--omit=optional", self.main], cwd=self.dir, env=self.env)
        installed = self.dir / "node_modules"
        self.assertFalse((installed / "@corsgate/linux-x64-gnu").exists())
        for source in ("Cargo.toml", "Cargo.lock", "core/src/lib.rs", "bindings-node/src/lib.rs"):
            self.assertTrue((installed / "corsgate/rust" / source).is_file(), source)
        argv = ["node", "-e", "require('corsgate')"]
        result = subprocess.run(argv, cwd=self.dir, env=self.env, capture_output=True, text=True, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("corsgate: no prebuilt addon for linux-x64-gnu and no Rust toolchain to build one", result.stderr)
        self.assertIn("@corsgate/linux-x64-gnu is not installed", result.stderr)
        self.assertIn(f"install Rust {minimum_rust()} or newer", result.stderr)
        self.assertNotIn("ENOENT", result.stderr)


class CheckoutWithoutRust(unittest.TestCase):
    def test_require_says_rust_is_needed(self) -> None:
        checkout = Path(tempfile.mkdtemp(prefix="corsgate-dist-checkout-"))
        self.addCleanup(shutil.rmtree, checkout, True)
        shutil.copy(ROOT / "Cargo.toml", checkout / "Cargo.toml")
        package = ROOT / "bindings-node"
        ignore = shutil.ignore_patterns("node_modules", "*.node", "target")
        shutil.copytree(package, checkout / "bindings-node", ignore=ignore)
        argv = ["node", "-e", "require('./bindings-node')"]
        result = subprocess.run(argv, cwd=checkout, env=env_without_rust(), capture_output=True, text=True, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("corsgate: no prebuilt addon for linux-x64-gnu and no Rust toolchain to build one", result.stderr)
        self.assertIn(f"install Rust {minimum_rust()} or newer", result.stderr)
        self.assertNotIn("ENOENT", result.stderr)


if __name__ == "__main__":
    unittest.main()
