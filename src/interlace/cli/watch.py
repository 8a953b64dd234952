"""``interlace run --watch``: redeploy the project whenever one of its files is saved.

Changes are debounced (an editor's save is often several writes; a batch of them is one redeploy). The
redeploy is the same as on SIGHUP: the project is loaded and compiled again and swapped in whole, the old
version drains its requests in flight, so no request fails during a reload; a change that does not check
is refused, its problems printed at their lines, and the last good version keeps serving.

What is not the project's definition is not watched: hidden folders (``.interlace/`` where the runtime keeps
its state, ``.git``, ``.vscode``), ``tests/`` (suites do not deploy) and editors' temporary files.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from watchfiles import Change, awatch

__all__ = ["watch_project"]

_TEMPORARY_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part")
_UNWATCHED_FOLDERS = frozenset({"tests", "node_modules", "__pycache__"})


def _deploys(root: Path, path: str) -> bool:
    """Whether a change of ``path`` can change what ``root`` deploys."""
    try:
        parts = Path(path).relative_to(root).parts
    except ValueError:
        return False
    if not parts or parts[-1].endswith(_TEMPORARY_SUFFIXES) or parts[-1].startswith(".#"):
        return False
    folders = parts[:-1]
    return not any(part.startswith(".") for part in parts) and not (
        folders and folders[0] in _UNWATCHED_FOLDERS
    )


async def watch_project(
    root: Path,
    redeploy: Callable[[], Awaitable[None]],
    announce: Callable[[str], None],
    stop: asyncio.Event,
    *,
    debounce: float = 0.3,
) -> None:
    """Call ``redeploy`` after each settled batch of changes under ``root`` until ``stop`` is set; one
    redeploy at a time (changes saved during one are picked up by the next)."""
    resolved = await asyncio.to_thread(root.resolve)

    def relevant(change: Change, path: str) -> bool:
        return _deploys(resolved, path)

    watching = False
    # Empty batches after each quiet half second: the first says the watch is in place (changes saved
    # from then on are seen), which is when "watching" is announced.
    async for changes in awatch(
        resolved,
        watch_filter=relevant,
        debounce=int(debounce * 1000),
        stop_event=stop,
        recursive=True,
        rust_timeout=500,
        yield_on_timeout=True,
    ):
        if not watching:
            watching = True
            announce(f"watching {root} for changes")
        if not changes:
            continue
        changed = sorted({Path(path).relative_to(resolved).as_posix() for _, path in changes})
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        announce(f"changed: {shown}; redeploying")
        await redeploy()
