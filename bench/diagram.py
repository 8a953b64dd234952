"""How long a flow diagram takes to draw: reading the graph, laying it out, rendering the SVG.

A console page draws the diagram on each request, so this is the time a page waits for it. The flow is
generated: ``--groups`` switches in a row, each with ``--cases`` cases of ``--depth`` mediators and a
filter in every case, so a large flow has thousands of nodes.

    .venv/bin/python bench/diagram.py
    .venv/bin/python bench/diagram.py --groups 40 --cases 6 --depth 4 --rounds 20
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from interlace.diagrams import find_flow, layout_graph, render_svg
from interlace.model.load import load_project


def _flow(groups: int, cases: int, depth: int) -> str:
    lines = ["sequence: Big", "flow:"]
    for group in range(groups):
        lines += [f"  - log: 'group {group}'", "  - switch:", "      on: ${vars.k}", "      cases:"]
        for case in range(cases):
            lines.append(f"        c{case}:")
            lines += [f"          - variable: {{name: v{step}, value: {step}}}" for step in range(depth)]
            lines += [
                "          - filter:",
                "              condition: vars.v0 > 0",
                "              then: [drop]",
            ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--cases", type=int, default=4)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=10)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "interlace.toml").write_text('[project]\nname = "bench"\n', encoding="utf-8")
        (root / "sequences").mkdir()
        (root / "sequences" / "big.yaml").write_text(
            _flow(options.groups, options.cases, options.depth), encoding="utf-8"
        )
        project = load_project(root)
        assert not project.problems, project.problems
        timings: dict[str, list[float]] = {"read": [], "layout": [], "render": []}
        size = nodes = 0
        for _ in range(options.rounds):
            started = time.perf_counter()
            graph = find_flow(project, "sequence:Big")
            read = time.perf_counter()
            layout = layout_graph(graph)
            laid = time.perf_counter()
            svg = render_svg(layout)
            done = time.perf_counter()
            timings["read"].append(read - started)
            timings["layout"].append(laid - read)
            timings["render"].append(done - laid)
            size, nodes = len(svg), len(layout.boxes)
    print(f"{nodes} nodes, {len(layout.edges)} lines, SVG {size / 1024:.0f} KiB, median of {options.rounds}:")
    for stage, values in timings.items():
        print(f"  {stage:<7} {statistics.median(values) * 1000:8.1f} ms")
    total = sum(statistics.median(values) for values in timings.values())
    print(f"  {'total':<7} {total * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
