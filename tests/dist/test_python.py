"""The Python artefacts of dist/, installed as a user would, with no Rust on PATH.

- The abi3 manylinux wheel: `pip install` into a fresh venv (timed), then a FastAPI app with
  `corsgate.asgi.CORSMiddleware` answers a preflight under uvicorn, and `corsgate.__version__`
  is Cargo.toml's version.
- The sdist: without Rust, its build stops at once with corsgate's message about Rust and never
  pulls maturin's toolchain downloader (`puccinialin`); with Rust, it builds from source and
  the result imports (cargo reuses target/python, where `make python-build` compiled the
  dependencies, so only corsgate's own crates compile again).
"""

from __future__ import annotations

import os
import subprocess
import sys
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

# The app's own dependencies, pinned as mk/40-python.mk pins them.
APP_PACKAGES = ["fastapi==0.165.0", "uvicorn==0.54.0"]

FASTAPI_APP = f"""
from fastapi import FastAPI
from corsgate.asgi import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["{APP}"], allow_methods=["PUT"],
                   allow_headers=["content-type"])


@app.put("/orders/42")
def put_order() -> dict[str, str]:
    return {{"status": "stored"}}
"""

PIP = ["-m", "pip", "--disable-pip-version-check", "--no-input"]


class FreshVenv(unittest.TestCase):
    """A new venv per test, made by the system's Python, with Rust off PATH."""

    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="corsgate-dist-py-"))
        self.addCleanup(subprocess.run, ["rm", "-rf", str(self.dir)], check=False)
        run([sys.executable, "-m", "venv", self.dir / "venv"])
        self.python = self.dir / "venv" / "bin" / "python"
        self.env = env_without_rust()


class WheelPolicy(unittest.TestCase):
    def test_auditwheel_finds_the_wheel_consistent_with_its_manylinux_tag(self) -> None:
        wheel = artefact("corsgate-*-cp39-abi3-manylinux*_x86_64.whl")
        tag = wheel.name.removesuffix(".whl").split("-")[-1]
        shown = " ".join(run([ROOT / ".venv/bin/auditwheel", "show", wheel]).stdout.split())
        self.assertIn(f'consistent with the following platform tag: "{tag}"', shown)
        # Only libraries the manylinux policy lets a wheel take from the system (libc, libgcc_s):
        # auditwheel lists any other under this heading (they would need `auditwheel repair`).
        self.assertNotIn("external shared libraries are required", shown)


class WheelInstall(FreshVenv):
    def test_wheel_installs_without_rust_and_fastapi_answers_a_preflight(self) -> None:
        wheel = artefact("corsgate-*-cp39-abi3-manylinux*_x86_64.whl")
        run([self.python, *PIP, "install", "-q", *APP_PACKAGES], env=self.env)
        # --no-index: the wheel alone, nothing fetched, nothing compiled.
        _, seconds = timed([self.python, *PIP, "install", "-q", "--no-index", wheel], env=self.env)
        record(f"pip install {wheel.name}", seconds)

        version = run([self.python, "-c", "import corsgate; print(corsgate.__version__)"], env=self.env)
        self.assertEqual(version.stdout.strip(), VERSION)

        (self.dir / "app.py").write_text(FASTAPI_APP)
        port = free_port()
        server = subprocess.Popen(
            [self.python, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=self.dir,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.addCleanup(server.wait)
        self.addCleanup(server.terminate)
        wait_for_port(port, server)

        # Starlette's CORSMiddleware (which the drop-in matches) answers an allowed preflight
        # 200 "OK" with the origin echoed, since the origin is listed rather than "*".
        status, headers, body = request(port, "OPTIONS", "/orders/42", preflight_headers())
        self.assertEqual(status, 200)
        self.assertEqual(body, b"OK")
        self.assertEqual(headers.get("access-control-allow-origin"), APP)
        self.assertIn("PUT", headers.get("access-control-allow-methods", ""))

        status, headers, body = request(port, "PUT", "/orders/42", {"Origin": APP})
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("access-control-allow-origin"), APP)
        self.assertEqual(body, b'{"status":"stored"}')


class SdistWithoutRust(FreshVenv):
    def test_sdist_build_stops_with_a_message_and_downloads_no_toolchain(self) -> None:
        sdist = artefact(f"corsgate-{VERSION}.tar.gz")
        result = subprocess.run(
            [str(self.python), *PIP, "install", "-v", str(sdist)],
            capture_output=True,
            text=True,
            env=self.env,
            check=False,
            timeout=300,
        )
        output = result.stdout + result.stderr
        self.assertNotEqual(result.returncode, 0, output)
        self.assertIn("corsgate: building from source needs Rust", output)
        self.assertIn("not found: cargo, rustc", output)
        self.assertIn("pip install --only-binary corsgate corsgate", output)
        # maturin's own backend would ask for puccinialin here and then download rustup.
        self.assertNotIn("puccinialin", output)
        self.assertNotIn("Rust not found, installing into a temporary directory", output)
        imported = subprocess.run([str(self.python), "-c", "import corsgate"], capture_output=True, check=False)
        self.assertNotEqual(imported.returncode, 0, "nothing was installed")


class SdistWithRust(FreshVenv):
    def test_sdist_builds_from_source(self) -> None:
        sdist = artefact(f"corsgate-{VERSION}.tar.gz")
        env = {**os.environ, "CARGO_TARGET_DIR": str(ROOT / "target/python")}
        _, seconds = timed([self.python, *PIP, "install", "-q", sdist], env=env)
        record(f"pip install {sdist.name} (compiles corsgate's crates)", seconds)
        policy = "import corsgate; print(corsgate.__version__, corsgate.Policy(origins=['https://a.example']))"
        self.assertEqual(run([self.python, "-c", policy], env=self.env).stdout.split()[0], VERSION)


if __name__ == "__main__":
    unittest.main()
