"""The one project -> NEST translation: what the exporter renders and the NEST backend runs."""

from __future__ import annotations

from pathlib import Path

from spikedesk.project_files import io, nest_translation, pynest
from spikedesk.project_files.project import RandomParameter, frozen_map

EXAMPLES = Path(__file__).resolve().parents[2] / "project_files" / "examples"


def test_brunel_becomes_nests_create_and_connect_arguments():
    project = io.load(EXAMPLES / "brunel.json")
    network = nest_translation.describe(project)
    assert network.kernel == {"resolution": 0.1, "rng_seed": 1, "local_num_threads": 1}
    assert [n.id for n in network.nodes] == [n.id for n in project.nodes]  # gids in order
    assert [(n.model, n.size) for n in network.nodes][:3] == [
        ("poisson_generator", 1),
        ("iaf_psc_delta", 800),
        ("iaf_psc_delta", 200),
    ]
    by_id = {c.id: c for c in network.connections}
    recorder_wiring = [c for c in network.connections if c.syn_spec is None]
    assert {(c.source, c.target) for c in recorder_wiring} == {
        ("E", "spikes_E"),
        ("I", "spikes_I"),
        ("vm", "E"),
    }
    synaptic = [c for c in network.connections if c.syn_spec is not None]
    assert all(c.syn_spec["synapse_model"] == "static_synapse" for c in synaptic)
    assert all(set(c.conn_spec) >= {"rule"} for c in by_id.values())
    assert {r.id: (r.spikes, r.populations) for r in network.recorders} == {
        "spikes_E": (True, ("E",)),
        "spikes_I": (True, ("I",)),
        "vm": (False, ("E",)),
    }


def test_the_exporter_renders_the_description():
    """Every Create and Connect of the script comes from the description, in its order."""
    project = io.load(EXAMPLES / "brunel.json")
    network = nest_translation.describe(project)
    script = pynest.export(project)
    assert script.count("nest.Create(") == len(network.nodes)
    assert script.count("nest.Connect(") == len(network.connections)


class FakeRandom:
    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        return lambda **kw: self.calls.append((name, kw)) or (name, kw)


class FakeMath:
    def max(self, p, v):
        return ("max", p, v)

    def min(self, p, v):
        return ("min", p, v)

    def redraw(self, p, **kw):
        return ("redraw", p, kw)


class FakeNest:
    random = FakeRandom()
    math = FakeMath()


def test_random_values_become_nest_random_with_their_bounds():
    nest = FakeNest()
    uniform = RandomParameter("uniform", frozen_map({"min": 0.0, "max": 20.0}))
    assert nest_translation.nest_value(nest, uniform) == ("uniform", {"min": 0.0, "max": 20.0})
    clipped = RandomParameter("normal", frozen_map({"mean": 1.0, "std": 0.5}), low=0.0, high=2.0)
    assert nest_translation.nest_value(nest, clipped) == (
        "min", ("max", ("normal", {"mean": 1.0, "std": 0.5}), 0.0), 2.0
    )  # fmt: skip
    redraw = RandomParameter(
        "normal", frozen_map({"mean": 1.0, "std": 0.5}), low=0.1, bound="redraw"
    )
    assert nest_translation.nest_value(nest, redraw) == (
        "redraw", ("normal", {"mean": 1.0, "std": 0.5}), {"min": 0.1}
    )  # fmt: skip
    assert nest_translation.nest_value(nest, (1.0, 2.0)) == [1.0, 2.0]
