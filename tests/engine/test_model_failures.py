"""A model that fails during a run (a runaway ODE) stops the run with an error naming its
node, instead of hanging or killing the process."""

from __future__ import annotations

import pytest
from spikedesk.engine import SimulationError, simulate
from spikedesk.project_files.project import Node, Project, Simulation, frozen_map


def runaway(model: str, **params) -> Project:
    return Project(
        name="runaway",
        simulation=Simulation(duration=20.0, resolution=0.1),
        nodes=(
            Node(id="calm", model=model, size=3),
            Node(id="wild", model=model, size=2, params=frozen_map(params)),
        ),
    )


@pytest.mark.parametrize("threads", [1, 2])
def test_a_runaway_conductance_neuron_names_its_node(threads):
    with pytest.raises(SimulationError) as info:
        simulate(runaway("iaf_cond_alpha", I_e=1e50), threads=threads)
    err = info.value
    assert err.node == "wild"
    assert "did not converge" in err.reason
    assert 0.0 <= err.time < 20.0
