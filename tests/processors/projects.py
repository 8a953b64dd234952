"""Small projects written as strings, for tests that run stores and processors through a Runtime."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path


def write_project(root: Path, files: Mapping[str, str], **configs: str) -> Path:
    """``interlace.toml`` (with ``configs``) and every file, dedented, under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    toml = '[project]\nname = "test"\n\n[server]\ngraceful-timeout = 2\n'
    if configs:
        toml += "\n[configs]\n" + "".join(f'{key} = "{value}"\n' for key, value in configs.items())
    (root / "interlace.toml").write_text(toml, encoding="utf-8")
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root
