"""Declarative definitions: what users write, validated, with the file and line of every value."""

from interlace.model.api import ApiDefinition, ResourceDefinition
from interlace.model.base import Definition
from interlace.model.endpoint import EndpointDefinition
from interlace.model.load import PROJECT_FILE, Project, load_project
from interlace.model.project import ProjectDefinition
from interlace.model.sequence import SequenceDefinition

__all__ = [
    "PROJECT_FILE",
    "ApiDefinition",
    "Definition",
    "EndpointDefinition",
    "Project",
    "ProjectDefinition",
    "ResourceDefinition",
    "SequenceDefinition",
    "load_project",
]
