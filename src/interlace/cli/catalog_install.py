"""Installing a connector version from the catalog index with pip, into this interpreter's environment.

The package file is downloaded first (``pip download PACKAGE==VERSION --no-deps``), its SHA-256 compared
with the index's, and only that file is installed (``pip install FILE``); its dependencies are resolved
by pip as usual. pip's ``--require-hashes`` mode was not chosen: it needs the hash of every dependency
too, which a connector's index entry cannot know for each installation.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from interlace.cli.catalog_index import CatalogEntry, CatalogError, CatalogVersion

__all__ = ["PipOptions", "file_sha256", "install_version", "run_pip", "uninstall_package"]

Echo = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class PipOptions:
    """Where pip looks for packages besides (or instead of) its configured index."""

    find_links: tuple[str, ...] = ()
    no_index: bool = False

    def arguments(self) -> list[str]:
        found = [argument for link in self.find_links for argument in ("--find-links", link)]
        return found + (["--no-index"] if self.no_index else [])


def run_pip(arguments: Sequence[str], echo: Echo) -> None:
    """Run pip of this interpreter; :class:`CatalogError` with pip's last words if it fails."""
    command = [sys.executable, "-m", "pip", *arguments]
    echo("$ " + " ".join(command))
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip()).splitlines()[-3:]
        raise CatalogError("pip failed; nothing was changed: " + " / ".join(said))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def install_version(entry: CatalogEntry, version: CatalogVersion, options: PipOptions, echo: Echo) -> None:
    """Download ``entry``'s package at ``version``, check its checksum and install it (upgrading or
    downgrading an installed one); :class:`CatalogError` when the checksum differs or pip fails."""
    with tempfile.TemporaryDirectory(prefix="interlace-connector-") as folder:
        requirement = f"{entry.package}=={version.version}"
        run_pip(["download", "--no-deps", "--dest", folder, *options.arguments(), requirement], echo)
        files = sorted(Path(folder).iterdir())
        if len(files) != 1:
            raise CatalogError(
                f"pip downloaded {len(files)} files for {requirement}; expected its one package file"
            )
        (package_file,) = files
        actual = file_sha256(package_file)
        if actual != version.sha256:
            raise CatalogError(
                f"the checksum of {package_file.name} is sha256:{actual}, but the index says"
                f" sha256:{version.sha256}; it was not installed"
            )
        echo(f"checked {package_file.name}: sha256 matches the index")
        run_pip(["install", *options.arguments(), str(package_file)], echo)


def uninstall_package(package: str, echo: Echo) -> None:
    run_pip(["uninstall", "--yes", package], echo)
