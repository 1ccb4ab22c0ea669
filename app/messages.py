"""Validation problems as a person reads them: the node or connection by its label, the
parameter by NEST's name, never the JSON path of the project file
(``nodes[5].params.interval`` -> ``vm (voltmeter) interval``)."""

from __future__ import annotations

import re

from spikedesk.project_files.project import Project
from spikedesk.project_files.validation import Problem

_ITEM = re.compile(r"^(nodes|connections)\[(\d+)\]\.?(.*)$")


def where(project: Project, path: str) -> str:
    """The thing a problem's path points at, in words."""
    match = _ITEM.match(path)
    if not match:
        return path.replace("simulation.", "").replace("params.", "")
    kind, index, rest = match.group(1), int(match.group(2)), match.group(3)
    rest = rest.replace("params.", "").replace("synapse.", "").replace("rule.", "")
    if kind == "nodes" and index < len(project.nodes):
        node = project.nodes[index]
        thing = f"{node.label or node.id} ({node.model})"
    elif kind == "connections" and index < len(project.connections):
        conn = project.connections[index]
        thing = f"connection {label_of(project, conn.source)} → {label_of(project, conn.target)}"
    else:
        thing = f"{kind[:-1]} {index + 1}"
    return f"{thing} {rest}".strip()


def label_of(project: Project, node_id: str) -> str:
    try:
        node = project.node(node_id)
    except KeyError:
        return node_id
    return node.label or node.id


def readable(problem: Problem, project: Project) -> str:
    return f"{where(project, problem.path)}: {problem.message}" if problem.path else problem.message


def summary(problems: list[Problem], project: Project, limit: int = 3) -> str:
    """At most ``limit`` distinct problems in words, and how many more there are."""
    lines = list(dict.fromkeys(readable(p, project) for p in problems))
    text = "; ".join(lines[:limit])
    if len(lines) > limit:
        text += f"; and {len(lines) - limit} more"
    return text
