"""MI 4.4's ``scatter-gather`` -> ``scatter-gather``: each ``sequence`` is a branch on its own copy of the
message; the ``aggregation`` expression is each branch's result, and the results, in branch order, go
to the payload or to the ``target-variable``. Completion conditions have nothing left to decide (every
branch is awaited); XML results are reported."""

from __future__ import annotations

from typing import Any

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.mediators.aggregate import complete_split
from interlace.importers.synapse.registry import FlowItem, FlowPart, mediator
from interlace.importers.synapse.xml import attribute, child, children, local_name

__all__ = ["convert_scatter_gather"]


@mediator("scatter-gather")
def convert_scatter_gather(element: etree._Element, conversion: Conversion, part: FlowPart) -> list[FlowItem]:
    branches = [
        conversion.flow(each, "sequence") for each in children(element) if local_name(each) == "sequence"
    ]
    if not branches:
        conversion.unsupported(element, "scatter-gather without a sequence", "nothing to run")
        return []
    if (attribute(element, "result-content-type") or "JSON").upper() != "JSON":
        conversion.unsupported(element, "scatter-gather XML result", "Interlace gathers a JSON array")
        return []
    options: dict[str, Any] = {"branches": branches}
    if (attribute(element, "target") or "body").lower() == "variable":
        options["target"] = f"vars.{attribute(element, 'target-variable') or 'result'}"
    aggregation = child(element, "aggregation")
    expression = attribute(aggregation, "expression") if aggregation is not None else None
    if aggregation is not None and expression:
        complete_split(options, conversion.expression(aggregation, expression, "scatter-gather aggregation"))
    if aggregation is not None and any(
        attribute(aggregation, name) for name in ("condition", "timeout", "min-messages", "max-messages")
    ):
        conversion.approximated(aggregation, "scatter-gather completion", "every branch is awaited")
    if attribute(element, "parallel-execution") == "false":
        conversion.approximated(
            element, "scatter-gather parallel-execution=false", "the branches run at once"
        )
    conversion.converted(element, "scatter-gather")
    return [{"scatter-gather": options}]
