"""corsgate's PEP 517 build backend: maturin's, without its silent Rust download.

maturin's backend installs a Rust toolchain into a temporary directory (through `puccinialin`,
about 900 MB) when `cargo` is not on PATH. A source build of corsgate instead stops at once
and says what is missing. `CORSGATE_ALLOW_RUST_DOWNLOAD=1` restores maturin's behaviour.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

if os.environ.get("CORSGATE_ALLOW_RUST_DOWNLOAD") != "1":
    # Read by every maturin hook (`_get_env`, `get_requires_for_build_*`); set before they run.
    os.environ["MATURIN_NO_INSTALL_RUST"] = "1"

# The environment variable above must be set before maturin is imported.
import maturin


def _minimum_rust() -> str | None:
    """The `rust-version` of the Cargo workspace being built (an sdist's root, or a checkout's)."""
    for manifest in (Path.cwd() / "Cargo.toml", Path.cwd().parent / "Cargo.toml"):
        if manifest.is_file():
            found = re.search(r'^rust-version\s*=\s*"([^"]+)"', manifest.read_text(), re.M)
            if found:
                return found.group(1)
    return None


def _require_rust() -> None:
    """Exits with a clear message when cargo or rustc is missing (unless a download is allowed)."""
    if os.environ.get("CORSGATE_ALLOW_RUST_DOWNLOAD") == "1":
        return
    missing = [tool for tool in ("cargo", "rustc") if shutil.which(tool) is None]
    if not missing:
        try:
            subprocess.run(["cargo", "--version"], check=True, capture_output=True)
            return
        except (OSError, subprocess.CalledProcessError):
            missing = ["a working cargo"]
    version = _minimum_rust()
    needs = f"Rust {version} or newer" if version else "a Rust toolchain"
    sys.stderr.write(
        "\n"
        f"corsgate: building from source needs {needs} (cargo and rustc on PATH);\n"
        f"not found: {', '.join(missing)}.\n"
        "  - Prebuilt wheels need no Rust: pip install --only-binary corsgate corsgate\n"
        "    (CPython 3.9+ on manylinux x86_64).\n"
        "  - Or install Rust (https://rustup.rs, or `apt install cargo` on Debian/Ubuntu)\n"
        "    and run the install again.\n"
        "  - CORSGATE_ALLOW_RUST_DOWNLOAD=1 lets maturin download a temporary toolchain.\n"
        "\n"
    )
    raise SystemExit(1)


def get_requires_for_build_wheel(config_settings: Mapping[str, Any] | None = None) -> list[str]:
    """maturin's build requirements (never `puccinialin` unless a download is allowed)."""
    _require_rust()
    return list(maturin.get_requires_for_build_wheel(config_settings))


def get_requires_for_build_editable(
    config_settings: Mapping[str, Any] | None = None,
) -> list[str]:
    """The same as for a wheel."""
    return get_requires_for_build_wheel(config_settings)


def get_requires_for_build_sdist(config_settings: Mapping[str, Any] | None = None) -> list[str]:
    """Writing an sdist compiles nothing: it needs cargo only to read the manifests."""
    _require_rust()
    return list(maturin.get_requires_for_build_sdist(config_settings))


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: Mapping[str, Any] | None = None
) -> str:
    """The wheel's metadata, from maturin."""
    _require_rust()
    return str(maturin.prepare_metadata_for_build_wheel(metadata_directory, config_settings))


def prepare_metadata_for_build_editable(
    metadata_directory: str, config_settings: Mapping[str, Any] | None = None
) -> str:
    """The same as for a wheel."""
    return prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def build_wheel(
    wheel_directory: str,
    config_settings: Mapping[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    """Compiles the extension with cargo and writes the wheel."""
    _require_rust()
    return str(maturin.build_wheel(wheel_directory, config_settings, metadata_directory))


def build_editable(
    wheel_directory: str,
    config_settings: Mapping[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    """An editable install (`pip install -e`)."""
    _require_rust()
    return str(maturin.build_editable(wheel_directory, config_settings, metadata_directory))


def build_sdist(sdist_directory: str, config_settings: Mapping[str, Any] | None = None) -> str:
    """The source distribution, from maturin."""
    _require_rust()
    return str(maturin.build_sdist(sdist_directory, config_settings))
