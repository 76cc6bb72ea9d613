"""One version everywhere, Cargo.toml's [workspace.package] version, and the CLI tarball.

The other suites of this directory check the installed artefacts' own answers against the same
version: `corsgate.__version__` (test_python), `require('corsgate').version` (test_node),
`corsgate_version()` and `corsgate --version` from the Debian packages (test_debian).
"""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
import unittest
from pathlib import Path

from harness import DIST, ROOT, VERSION, artefact, env_without_rust, run

TRIPLE = "x86_64-unknown-linux-gnu"


class CliTarball(unittest.TestCase):
    def test_checksum_matches_and_the_binary_runs_without_rust(self) -> None:
        tarball = artefact(f"corsgate-{VERSION}-{TRIPLE}.tar.gz")
        checksum = artefact(f"corsgate-{VERSION}-{TRIPLE}.tar.gz.sha256")
        self.assertEqual(checksum.read_text().split(), [run(["sha256sum", tarball]).stdout.split()[0], tarball.name])
        self.assertIn(": OK", run(["sha256sum", "-c", checksum.name], cwd=DIST).stdout)

        work = Path(tempfile.mkdtemp(prefix="corsgate-dist-cli-"))
        self.addCleanup(shutil.rmtree, work, True)
        with tarfile.open(tarball) as archive:
            names = sorted(archive.getnames())
        run(["tar", "-xzf", tarball, "-C", work])
        top = f"corsgate-{VERSION}-{TRIPLE}"
        self.assertEqual(names, [top, f"{top}/README.md", f"{top}/corsgate"])
        binary = work / top / "corsgate"
        result = run([binary, "--version"], env=env_without_rust())
        self.assertEqual(result.stdout.strip(), f"corsgate {VERSION}")


class OneVersion(unittest.TestCase):
    def test_every_manifest_and_artefact_name_carries_the_cargo_version(self) -> None:
        package = json.loads((ROOT / "bindings-node/package.json").read_text())
        self.assertEqual(package["version"], VERSION, "run packaging/version.sh to set every version")
        lock = json.loads((ROOT / "bindings-node/package-lock.json").read_text())
        self.assertEqual((lock["version"], lock["packages"][""]["version"]), (VERSION, VERSION))
        pyproject = (ROOT / "bindings-python/pyproject.toml").read_text()
        self.assertIn('dynamic = ["version"]', pyproject, "the Python version comes from Cargo.toml")
        artefact(f"corsgate-{VERSION}-cp39-abi3-manylinux*_x86_64.whl")
        artefact(f"corsgate-{VERSION}.tar.gz")
        for deb in ("libcorsgate0", "libcorsgate-dev", "corsgate", "libnginx-mod-http-corsgate"):
            artefact(f"{deb}_{VERSION}-1_*.deb")


if __name__ == "__main__":
    unittest.main()
