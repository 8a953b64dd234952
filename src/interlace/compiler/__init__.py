"""The compiler: validated definitions in, runnable artifacts out, every problem reported at once."""

from interlace.compiler.compile import (
    ApiArtifact,
    Artifacts,
    ResourceArtifact,
    check_project,
    compile_project,
)
from interlace.compiler.diagnostics import Diagnostics, format_problem

__all__ = [
    "ApiArtifact",
    "Artifacts",
    "Diagnostics",
    "ResourceArtifact",
    "check_project",
    "compile_project",
    "format_problem",
]
