"""Builders of the mediators that shape answers: ``fault`` and ``xslt`` (whose stylesheet is read and
compiled here, once, with no file or network access at run time)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from interlace.compiler.flows import FlowBuilder
from interlace.expressions import Template
from interlace.mediators.base import Mediator
from interlace.mediators.fault import FaultMediator
from interlace.mediators.xslt import XsltMediator
from interlace.model.transforms import FaultDefinition, XsltDefinition

__all__ = ["build_fault", "build_xslt"]


def build_fault(d: FaultDefinition, fb: FlowBuilder) -> Mediator:
    def text(value: str | None, key: str) -> Template | None:
        return fb.template(value, d.location_of(key)) if value is not None else None

    texts = (text(d.detail, "detail"), text(d.node, "node"), text(d.role, "role"))
    reason = fb.template(d.reason, d.location_of("reason"))
    return FaultMediator(d.format, d.code, reason, texts, d.status, d.location)


_XSLT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
# Stylesheets reach no file and no network (lxml-stubs lacks the DENY_ALL attribute lxml has).
_NO_ACCESS: etree.XSLTAccessControl = etree.XSLTAccessControl.DENY_ALL  # type: ignore[attr-defined]


def _stylesheet(d: XsltDefinition, fb: FlowBuilder) -> etree.XSLT | None:
    where = d.location_of("stylesheet")
    try:
        data = (Path(fb.project_root) / d.stylesheet).read_bytes()
        document = etree.fromstring(data, _XSLT_PARSER)
        return etree.XSLT(document, access_control=_NO_ACCESS)
    except OSError as exc:
        fb.diagnostics.error(f"cannot read stylesheet {d.stylesheet!r}: {exc.strerror or exc}", where)
    except (etree.XMLSyntaxError, etree.XSLTParseError) as exc:
        fb.diagnostics.error(f"stylesheet {d.stylesheet!r} is not a valid XSLT 1.0 stylesheet: {exc}", where)
    return None


def build_xslt(d: XsltDefinition, fb: FlowBuilder) -> Mediator | None:
    parameters = tuple(
        (name, fb.template(value, d.location_of("parameters"))) for name, value in d.parameters.items()
    )
    transform = _stylesheet(d, fb)
    if transform is None:
        return None
    return XsltMediator(transform, d.stylesheet, parameters, d.content_type, d.location)
