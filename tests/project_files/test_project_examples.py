"""The shipped examples load, validate, are stored canonically and say what they show."""

from __future__ import annotations

from importlib import resources

import pytest
from spikedesk.project_files import catalog, io

EXAMPLES = sorted(
    p
    for p in resources.files("spikedesk.project_files").joinpath("examples").iterdir()
    if p.name.endswith(".json")
)


def test_there_are_examples():
    names = {p.name for p in EXAMPLES}
    assert {"brunel.json", "single_neuron_dc.json", "spike_generator_psp.json"} <= names
    assert len(names) >= 4


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_loads_and_is_canonical(path):
    text = path.read_text(encoding="utf-8")
    project = io.loads(text, source=path.name)
    assert io.dumps(project) == text  # stored exactly as save() writes it
    assert project.description, "every example explains itself"
    for node in project.nodes:
        assert (node.position.x, node.position.y) != (0.0, 0.0), f"{node.id} has no position"


def test_brunel_is_the_tutorial_network():
    project = io.loads(
        resources.files("spikedesk.project_files").joinpath("examples/brunel.json").read_text()
    )
    assert project.simulation.duration == 1000.0 and project.simulation.resolution == 0.1
    e, i = project.node("E"), project.node("I")
    assert (e.model, e.size, i.model, i.size) == ("iaf_psc_delta", 800, "iaf_psc_delta", 200)
    lif = {
        "C_m": 1.0,
        "tau_m": 20.0,
        "E_L": 0.0,
        "V_reset": 0.0,
        "V_th": 20.0,
        "t_ref": 2.0,
        "V_m": 0.0,
    }
    defaults = catalog.model("iaf_psc_delta").defaults()
    for node in (e, i):
        assert {**defaults, **node.params, **lif} == {**defaults, **node.params}, node.id
    assert project.node("noise").params["rate"] == 1000.0
    conns = {(c.source, c.target): c for c in project.connections}
    for src, indegree, weight in (("E", 80, 1.0), ("I", 20, -5.0)):
        for tgt in ("E", "I"):
            c = conns[(src, tgt)]
            assert (c.rule.rule, dict(c.rule.params)) == ("fixed_indegree", {"indegree": indegree})
            assert (c.synapse.weight, c.synapse.delay) == (weight, 1.5)
    for tgt in ("E", "I"):
        c = conns[("noise", tgt)]
        assert (c.rule.rule, c.synapse.weight, c.synapse.delay) == ("all_to_all", 1.0, 1.5)
    assert project.node(conns[("E", "spikes_E")].target).model == "spike_recorder"
    assert project.node(conns[("I", "spikes_I")].target).model == "spike_recorder"
    vm = conns[("vm", "E")]
    assert project.node("vm").model == "voltmeter" and vm.target_indices == (0, 1, 2, 3, 4)


def test_conductance_synapses_fluctuate_less_than_current_synapses():
    """What the example teaches: the same input moves a conductance-based membrane less."""
    from spikedesk.engine import simulate

    project = io.loads(
        resources.files("spikedesk.project_files")
        .joinpath("examples/conductance_vs_current.json")
        .read_text()
    )
    result = simulate(project)
    vm = result.events["vm"]
    psc_gid, cond_gid = result.node_ids["psc"][0], result.node_ids["cond"][0]
    psc, cond = vm["V_m"][vm["senders"] == psc_gid], vm["V_m"][vm["senders"] == cond_gid]
    assert cond.std() < 0.6 * psc.std()
    assert cond.min() > -85.0  # never below the inhibitory reversal potential
    spikes = result.events["spikes"]["senders"]
    assert (spikes == psc_gid).sum() > (spikes == cond_gid).sum() > 0
