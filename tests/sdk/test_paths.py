"""Paths a flow gives stay inside the connection's root: hostile ones are refused with the path named."""

from __future__ import annotations

from pathlib import Path

import pytest

from interlace.sdk import PROJECT_FOLDER, InvalidInput, local_path, project_path, relative_path

DOING = "file.read on connection x"


@pytest.mark.parametrize(
    ("given", "relative"),
    [
        ("a.txt", "a.txt"),
        ("in/a.txt", "in/a.txt"),
        ("/in/a.txt", "in/a.txt"),  # a leading / is the root, never the disk's
        ("in/../a.txt", "a.txt"),
        ("./in//a.txt", "in/a.txt"),
        (".", "."),
        ("/", "."),
    ],
)
def test_paths_inside_the_root_are_normalized(given: str, relative: str) -> None:
    assert relative_path(given, DOING) == relative


@pytest.mark.parametrize(
    "hostile",
    ["../etc/passwd", "..", "in/../../x", "/../x", "a/b/../../../x", "a\\..\\..\\x", "a\x00.txt"],
)
def test_paths_that_leave_the_root_are_refused(hostile: str) -> None:
    with pytest.raises(InvalidInput, match=r"^file.read on connection x: path .*"):
        relative_path(hostile, DOING)


def test_a_symbolic_link_leading_out_of_a_local_root_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("x")
    (root / "link").symlink_to(outside)
    (root / "inner").symlink_to(root / "in.txt")
    with pytest.raises(InvalidInput, match=r"'link/secret.txt' leads outside the connection's folder"):
        local_path(root, "link/secret.txt", DOING)
    assert local_path(root, "inner", DOING) == (root / "in.txt").resolve()


def test_a_relative_local_setting_is_relative_to_the_project_folder_the_runtime_names() -> None:
    assert project_path("inbox", {PROJECT_FOLDER: "/srv/p"}) == "/srv/p/inbox"
    assert project_path("/data", {PROJECT_FOLDER: "/srv/p"}) == "/data"
    assert project_path("inbox", None) == "inbox"
