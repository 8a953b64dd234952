"""Claims: what a project takes on a server that no other project running there may take as well.

Several projects run side by side as long as they claim nothing in common:

- artifact names, by kind: APIs, sequences, endpoints, message stores, processors, connections, tasks
  and inbound endpoints are addressed by name server-wide (the management API, the state folder where
  stores keep their files, the token store, coordination leases), so two of one kind cannot share one;
- ports: two inbound HTTP listeners cannot listen on one port, nor on the server's own ports;
- API paths (context and version): checked when the server's combined route table is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from interlace.errors import SourceLocation
from interlace.model.load import Project

__all__ = ["conflicts"]


def _names(project: Project) -> Iterator[tuple[str, str, SourceLocation]]:
    """(kind, name, where) of each named artifact."""
    yield from (("API", d.api, d.location) for d in project.apis)
    yield from (("sequence", d.sequence, d.location) for d in project.sequences)
    yield from (("endpoint", d.name, d.location) for d in project.endpoints)
    yield from (("message store", d.name, d.location) for d in project.stores)
    yield from (("processor", d.name, d.location) for d in project.processors)
    yield from (("connection", d.connection, d.location) for d in project.connections)
    yield from (("task", d.name, d.location) for d in project.tasks)
    yield from (("inbound endpoint", d.name, d.location) for d in project.inbound)


def _ports(project: Project) -> Iterator[tuple[int, str, SourceLocation]]:
    """(port, inbound endpoint, where) of each HTTP listener on a fixed port."""
    for definition in project.inbound:
        if definition.http is not None and definition.http.port != 0:
            yield definition.http.port, definition.name, definition.location_of("http")


def conflicts(
    candidate: Project, others: Iterable[Project], server_ports: Mapping[int, str] | None = None
) -> list[str]:
    """What ``candidate`` claims that one of ``others`` (the other projects running) or the server itself
    (``server_ports``: its own listeners' ports, by what listens there) claims already, one message per
    clash naming both and where each claims it; empty when nothing clashes."""
    found: list[str] = []
    for port, inbound, where in _ports(candidate):
        if server_ports and port in server_ports:
            found.append(
                f"port {port} of inbound endpoint {inbound!r} of {candidate.name} ({where}) is where "
                f"{server_ports[port]} of this server listen: give the inbound endpoint another port"
            )
    others = list(others)
    taken = {(kind, name): (other, where) for other in others for kind, name, where in _names(other)}
    for kind, name, where in _names(candidate):
        clash = taken.get((kind, name))
        if clash is not None:
            other, other_where = clash
            found.append(
                f"{kind} {name!r} of {candidate.name} ({where}) is already deployed by {other.name} "
                f"({other_where}): {kind}s are named server-wide; rename one of them"
            )
    ports = {port: (other, inbound, where) for other in others for port, inbound, where in _ports(other)}
    for port, inbound, where in _ports(candidate):
        held = ports.get(port)
        if held is not None:
            other, other_inbound, other_where = held
            found.append(
                f"port {port} of inbound endpoint {inbound!r} of {candidate.name} ({where}) is already "
                f"taken by inbound endpoint {other_inbound!r} of {other.name} ({other_where}): give one "
                "of them another port"
            )
    return found
