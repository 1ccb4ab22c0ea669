"""Expressions in project files (kept as their text) and in the PyNEST export."""

from __future__ import annotations

import pytest
from spikedesk.project_files import parameters


def test_projects_keep_expressions_as_text():
    from spikedesk.project_files import io

    data = {
        "format": "spikedesk-project",
        "version": 1,
        "nodes": [
            {
                "id": "A",
                "model": "iaf_psc_alpha",
                "size": 3,
                "params": {"V_m": "-70 + 2 * random.normal()"},
            }
        ],
        "connections": [
            {
                "id": "c",
                "source": "A",
                "target": "A",
                "synapse": {"weight": "random.uniform(min=1, max=2)"},
            }
        ],
    }
    p = io.from_dict(data)
    assert p.nodes[0].params["V_m"] == parameters.Expression("-70 + 2 * random.normal()")
    assert p.connections[0].synapse.weight == parameters.Expression("random.uniform(min=1, max=2)")
    again = io.to_dict(p)
    assert again["nodes"][0]["params"]["V_m"] == "-70 + 2 * random.normal()"
    assert again["connections"][0]["synapse"]["weight"] == "random.uniform(min=1, max=2)"
    bad = dict(
        data,
        nodes=[{"id": "A", "model": "iaf_psc_alpha", "params": {"V_m": "random.normal(mean=)"}}],
    )
    with pytest.raises(ValueError, match=r"nodes\[0\].params.V_m: column 20: expected a number"):
        io.from_dict(bad)


def test_pynest_export_of_expressions():
    from spikedesk.project_files import io, pynest

    data = {
        "format": "spikedesk-project",
        "version": 1,
        "nodes": [
            {
                "id": "A",
                "model": "iaf_psc_alpha",
                "size": 3,
                "params": {"V_m": "-70 + 2 * random.normal()"},
            }
        ],
        "connections": [
            {
                "id": "c",
                "source": "A",
                "target": "A",
                "synapse": {"weight": "math.redraw(random.normal(mean=2, std=1), min=0.5, max=4)"},
            }
        ],
    }
    code = pynest.export(io.from_dict(data))
    assert "'V_m': -70.0 + 2.0 * nest.random.normal(mean=0.0, std=1.0)," in code
    assert (
        "'weight': nest.math.redraw(nest.random.normal(mean=2.0, std=1.0), min=0.5, max=4.0)"
        in code
    )
