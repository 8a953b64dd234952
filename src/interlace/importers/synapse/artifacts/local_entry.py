"""Local entries (``local-entries/*.xml``) -> configs and files.

A text value becomes the config entry of its key (``[configs]`` in interlace.toml; an expression
``get-property('KEY')`` reads it as ``${configs.KEY}``). An XML value becomes the file
``local-entries/KEY.xml`` (``.xsl`` for a stylesheet, ``.xsd`` for a schema), and one holding an
artifact (a sequence, an endpoint) becomes that artifact, named by the key. A ``src`` URL names a file
of the source (``file:resources/a.xsl``), copied the same way; a remote URL is reported.

Mediators refer to an entry by its key (``xslt key="..."``, ``validate``'s schema): the import finds
every entry before converting anything, so those references resolve to the entry's file wherever
the entry is defined.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Final

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import ARTIFACTS, artifact
from interlace.importers.synapse.xml import attribute, children, detached, local_name

__all__ = ["config_name", "convert_local_entry", "prepare_local_entries"]

_CONFIG: Final = re.compile(r"[^A-Za-z0-9_]")
_EXTENSIONS: Final = {"stylesheet": "xsl", "transform": "xsl", "schema": "xsd"}


def config_name(key: str) -> str:
    """The config entry a text local entry becomes (``api.version`` -> ``api_version``)."""
    return _CONFIG.sub("_", key)


def _inline(element: etree._Element) -> etree._Element | None:
    return next(children(element), None)


def _source_key(src: str) -> str | None:
    """The resource path of a ``src`` URL, None for a remote one."""
    if src.startswith(("http://", "https://", "ftp://")):
        return None
    return src.removeprefix("file:").removeprefix("//")


def _content(element: etree._Element, resources: Callable[[str], bytes | None]) -> bytes | None:
    src = attribute(element, "src")
    if src:
        key = _source_key(src)
        return None if key is None else resources(key)
    inline = _inline(element)
    if inline is not None:
        return etree.tostring(detached(inline), encoding="utf-8", xml_declaration=False)
    return (element.text or "").strip().encode("utf-8")


def prepare_local_entries(elements: Iterable[etree._Element], conversion: Conversion) -> None:
    """Make the local entries ``elements`` known to ``conversion`` before anything is converted: its
    resources by key, and the config entries of the text ones."""
    entries = {attribute(each, "key") or "": each for each in elements}
    resources = conversion.resources

    def find(key: str) -> bytes | None:
        entry = entries.get(key)
        return resources(key) if entry is None else _content(entry, resources)

    conversion.resources = find
    for key, each in entries.items():
        inline, src = _inline(each), attribute(each, "src")
        if inline is None and not src:
            conversion.entries[key] = config_name(key)
        elif inline is None or local_name(inline) not in ARTIFACTS:
            conversion.entry_files[key] = f"local-entries/{_file_name(key, inline, src)}"


def _file_name(key: str, inline: etree._Element | None, src: str | None) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.\-]", "_", key)
    if src:
        extension = src.rpartition("/")[2].rpartition(".")[2]
        return f"{stem}.{extension}" if "." in src.rpartition("/")[2] else stem
    kind = local_name(inline) if inline is not None else ""
    return f"{stem}.{_EXTENSIONS.get(kind, 'xml')}"


@artifact("localEntry")
def convert_local_entry(element: etree._Element, conversion: Conversion) -> None:
    key = attribute(element, "key") or conversion.generated_name("LocalEntry")
    src = attribute(element, "src")
    inline = _inline(element)
    if (
        inline is not None
        and not src
        and local_name(inline) in ARTIFACTS
        and local_name(inline) != "localEntry"
    ):
        artifact_element = inline
        artifact_element.set("name", key)
        ARTIFACTS[local_name(inline)](artifact_element, conversion)
        conversion.converted(element, f"local entry {key}", f"the {local_name(inline)} {key}")
        return
    if inline is None and not src:
        name = config_name(key)
        conversion.tree.configs[name] = (element.text or "").strip()
        conversion.converted(element, f"local entry {key}", f"the config {name}")
        return
    data = _content(element, conversion.resources)
    if data is None:
        conversion.unsupported(
            element, f"local entry {key} from {src}", "copy the file into the project and refer to it by path"
        )
        return
    path = conversion.entry_files.get(key) or f"local-entries/{_file_name(key, inline, src)}"
    conversion.tree.files[path] = data
    conversion.converted(element, f"local entry {key}", f"the file {path}")
