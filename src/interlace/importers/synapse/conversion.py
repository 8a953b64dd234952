"""The state of one import: the project being built, the report, and the helpers converters share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from lxml import etree

from interlace.importers.synapse.expressions import Converted, convert_expression
from interlace.importers.synapse.registry import MEDIATORS, FlowItem, FlowPart
from interlace.importers.synapse.report import Finding, Origin, Report
from interlace.importers.synapse.tree import Document, ProjectTree
from interlace.importers.synapse.xml import children, line_of, local_name

__all__ = ["Conversion"]


def _summary(finding: Finding) -> str:
    return f"{finding.status} {finding.construct}: {finding.note}".rstrip(": ")


_LOCAL_ENTRY: Final = re.compile(r"""^get-property\(\s*(['"])([^'"]+)\1\s*\)$""")
_ORIGIN: Final = re.compile(r"^(https?)://([^/:?#]+)(?::(\d+))?")


@dataclass(slots=True)
class Conversion:
    """One import in progress. Converters read the current ``file`` and add documents and findings."""

    tree: ProjectTree
    report: Report = field(default_factory=Report)
    file: str = ""
    splits: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The options of the foreach or scatter-gather made from an ``iterate`` or ``clone``, by its id,
    until an ``aggregate`` of that id (or with none) completes it."""
    taken: set[etree._Element] = field(default_factory=set)
    """Mediator elements a converter already took into its own flow (a cache or throttle takes the
    mediators after it); the flow they stand in skips them."""
    resources: Callable[[str], bytes | None] = lambda key: None
    """The content of the registry resource ``key`` (``conf:schemas/a.json``) found in the source."""
    entries: dict[str, str] = field(default_factory=dict)
    """The config entry of each text local entry, by key (``get-property('KEY')`` reads it)."""
    entry_files: dict[str, str] = field(default_factory=dict)
    """The project file of each XML local entry, by key (a mediator refers to it by that key)."""
    endpoint_templates: dict[str, tuple[str, etree._Element]] = field(default_factory=dict)
    """The endpoint templates by name, with their files (an endpoint using one expands it)."""
    finishing: list[Callable[[], None]] = field(default_factory=list)
    """Steps run once every artifact is converted (an HTTP listener serving all the project's APIs)."""
    _generated: int = 0

    def at(self, element: etree._Element) -> Origin:
        return Origin(self.file, line_of(element))

    def converted(self, element: etree._Element, construct: str, note: str = "") -> None:
        self.report.add("converted", self.at(element), construct, note)

    def approximated(self, element: etree._Element, construct: str, how: str) -> None:
        self.report.add("approximated", self.at(element), construct, how)

    def unsupported(self, element: etree._Element, construct: str, why: str = "") -> None:
        self.report.add("unsupported", self.at(element), construct, why)

    def add_document(
        self,
        folder: str,
        name: str,
        data: dict[str, Any],
        element: etree._Element,
        *,
        also: tuple[str, etree._Element] | None = None,
    ) -> str:
        """Add an artifact's document, headed by where it came from and by what of it was approximated
        or left out (the findings so far within the element's lines, and within ``also``'s: the file
        and element of an endpoint template the artifact expands)."""
        comments = [f"Imported from {self.at(element)}"]
        comments += [
            f"line {finding.origin.line}: {_summary(finding)}" for finding in self._within(self.file, element)
        ]
        if also is not None:
            comments += [f"{finding.origin}: {_summary(finding)}" for finding in self._within(*also)]
        return self.tree.add(folder, name, Document(data, comments))

    def _within(self, file: str, element: etree._Element) -> list[Finding]:
        """The findings not converted so far in ``file`` within the lines of ``element``."""
        first = line_of(element)
        last = max((line_of(each) for each in element.iter()), default=first)
        return [
            finding
            for finding in self.report.findings
            if finding.status != "converted"
            and finding.origin.file == file
            and first <= finding.origin.line <= last
        ]

    def resource_file(self, element: etree._Element, key: str, folder: str, construct: str) -> str | None:
        """The project path (``FOLDER/NAME``) the registry resource ``key`` is copied to; None (reported)
        when the source does not hold it."""
        data = self.resources(key)
        if data is None:
            self.unsupported(
                element, f"{construct} {key}", f"the resource is not in the source; copy it into {folder}/"
            )
            return None
        path = self.entry_files.get(key) or f"{folder}/{key.rpartition('/')[2].rpartition(':')[2]}"
        self.tree.files[path] = data
        return path

    def take_following(
        self,
        element: etree._Element,
        part: FlowPart,
        until: Callable[[etree._Element], bool] = lambda element: False,
    ) -> list[FlowItem]:
        """The mediators after ``element`` in its flow, up to one for which ``until`` holds (taken too,
        not converted), converted and taken from that flow."""
        following: list[etree._Element] = []
        end = None
        sibling = element.getnext()
        while sibling is not None and end is None:
            if isinstance(sibling.tag, str):
                if until(sibling):
                    end = sibling
                else:
                    following.append(sibling)
            sibling = sibling.getnext()
        items = self.mediators(following, part)
        self.taken.update(following if end is None else [*following, end])
        return items

    def generated_name(self, owner: str) -> str:
        """A name for an anonymous (inline) artifact of ``owner``."""
        self._generated += 1
        return f"{owner}_{self._generated}"

    def expression(
        self, element: etree._Element, text: str, construct: str, *, evaluator: str | None = None
    ) -> str | None:
        """``text`` (a Synapse expression) as an Interlace template ``${...}``, reported when it is
        approximated; None (reported unsupported) when it has no Interlace equivalent."""
        entry = _LOCAL_ENTRY.match(text.strip())
        if entry is not None and entry.group(2) in self.entries:
            return "${configs." + self.entries[entry.group(2)] + "}"
        result: Converted = convert_expression(text, evaluator)
        if result.template is None:
            self.unsupported(element, f"{construct} expression {text!r}", result.note)
        elif result.note:
            self.approximated(element, f"{construct} expression {text!r}", result.note)
        return result.template

    def url(self, element: etree._Element, url: str) -> str:
        """``url`` with its scheme, host and port moved into a config entry, so profiles can change it."""
        match = _ORIGIN.match(url)
        if match is None:
            return url
        scheme, host, port = match.groups()
        key = re.sub(r"[^A-Za-z0-9_]", "_", f"{host}_{port or ('443' if scheme == 'https' else '80')}")
        key = f"url_{key}"
        self.tree.configs.setdefault(key, match.group(0))
        return "${configs." + key + "}" + url[match.end() :]

    def flow(self, parent: etree._Element, part: FlowPart) -> list[FlowItem]:
        """The mediators under ``parent`` converted in order; those without a converter are reported."""
        return self.mediators(children(parent), part)

    def mediators(self, elements: Iterable[etree._Element], part: FlowPart) -> list[FlowItem]:
        """The mediator ``elements`` converted in order; those without a converter are reported."""
        items: list[FlowItem] = []
        for element in elements:
            if element in self.taken:
                continue
            tag = local_name(element)
            converter = MEDIATORS.get(tag)
            if converter is None:
                self.unsupported(element, f"mediator <{tag}>", "no Interlace conversion yet; port it by hand")
                continue
            items.extend(converter(element, self, part))
        return items
