"""Synapse groups through the engine's Python API: the connection tables, weight recording,
plastic weights for any number of threads, parrot receptor 1, and refused synapse settings
(engine/cpp/synapse.h)."""

from __future__ import annotations

import numpy as np
import pytest
from spikedesk.engine import _core

WINDOW = {"origin": [0.0], "start": [0.0], "stop": [1e300]}
SPIKES = {"spike_weights": [], "spike_multiplicities": [], "allow_offgrid_times": [0.0],
          "shift_now_spikes": [0.0], "precise_times": [0.0], **WINDOW}


def poisson_pair(threads: int, synapse: str, params: dict, weight, seed: int = 3):
    """Two populations of parrots driven by Poisson input, connected by `synapse`."""
    net = _core.Network(0.1, seed, threads)
    drive = net.add_node("poisson_generator", 1, {"rate": [40.0], **WINDOW})
    pre = net.add_node("parrot_neuron", 20, {})
    post = net.add_node("parrot_neuron", 10, {})
    wr = net.add_node("weight_recorder", 1, WINDOW)
    net.connect(drive, pre, {"rule": "all_to_all"}, 1.0, 1.0, 0)
    net.connect(drive, post, {"rule": "all_to_all"}, 1.0, 1.0, 1)
    net.connect(
        pre,
        post,
        {"rule": "fixed_indegree", "indegree": 5},
        weight,
        {"kind": "uniform", "a": 1.0, "b": 3.0},
        2,
        receptor=1,  # seen by the synapses only: the parrots repeat their own drive
        synapse=synapse,
        synapse_params={**params, "weight_recorder": float(wr)},
    )
    return net, wr


def test_connection_table_has_every_synapse_with_its_draws():
    net, _ = poisson_pair(1, "static_synapse", {}, {"kind": "normal", "a": 2.0, "b": 0.5})
    table = net.connections(2)
    assert len(table["sources"]) == 10 * 5
    assert set(table["sources"]) <= set(range(2, 22)) and set(table["targets"]) == set(range(22, 32))
    order = np.lexsort((table["targets"], table["sources"]))
    np.testing.assert_array_equal(order, np.arange(len(order)))  # by (source, target)
    assert np.all(np.round(table["delays"] / 0.1) * 0.1 == pytest.approx(table["delays"]))
    assert 1.0 <= table["delays"].min() and table["delays"].max() <= 3.0
    assert table["weights"].std() > 0.2  # drawn per synapse
    assert net.connections(0)["sources"].size == 0  # device connections are not groups


@pytest.mark.parametrize("synapse, params", [("stdp_synapse", {"Wmax": 5.0, "lambda": 0.1}),
                                             ("tsodyks2_synapse", {"U": 0.3})])
def test_plastic_weights_are_the_same_for_any_threads(synapse, params):
    tables, recorded = [], []
    for threads in (1, 2, 4):
        net, wr = poisson_pair(threads, synapse, params, 1.0)
        net.run(3000)
        tables.append(net.connections(2))
        recorded.append(dict(net.take_events(wr)))
    for t, r in zip(tables[1:], recorded[1:]):
        for key in ("sources", "targets", "weights", "delays"):
            np.testing.assert_array_equal(t[key], tables[0][key], err_msg=key)
        for key in ("senders", "targets", "times", "weights"):
            np.testing.assert_array_equal(r[key], recorded[0][key], err_msg=key)
    assert len(recorded[0]["times"]) > 500
    if synapse == "stdp_synapse":  # the weights moved from 1.0 and stay within [0, Wmax]
        w = tables[0]["weights"]
        assert np.ptp(w) > 0.05 and w.min() >= 0.0 and w.max() <= 5.0


def test_weight_recorder_records_each_transmitted_spike_of_a_static_synapse():
    net = _core.Network(0.1, 1, 2)
    sg = net.add_node("spike_generator", 1, {"spike_times": [1.0, 4.0], **SPIKES})
    pre = net.add_node("parrot_neuron", 2, {})
    post = net.add_node("parrot_neuron", 3, {})
    wr = net.add_node("weight_recorder", 1, WINDOW)
    net.connect(sg, pre, {"rule": "all_to_all"}, 1.0, 1.0, 0)
    net.connect(pre, post, {"rule": "all_to_all"}, 2.5, 1.5, 1,
                synapse="static_synapse", synapse_params={"weight_recorder": float(wr)})
    net.run(100)
    ev = dict(net.take_events(wr))
    assert len(ev["times"]) == 2 * 2 * 3  # two spikes of two parrots onto three targets
    np.testing.assert_allclose(sorted(set(ev["times"])), [2.0, 5.0])  # the presynaptic times
    assert set(ev["weights"]) == {2.5}
    order = np.lexsort((ev["targets"], ev["senders"], ev["times"]))
    np.testing.assert_array_equal(order, np.arange(len(order)))


def test_parrot_receptor_1_does_not_repeat():
    net = _core.Network(0.1, 1, 1)
    sg = net.add_node("spike_generator", 1, {"spike_times": [1.0, 2.0], **SPIKES})
    p0 = net.add_node("parrot_neuron", 1, {})
    p1 = net.add_node("parrot_neuron", 1, {})
    sr = net.add_node("spike_recorder", 1, WINDOW)
    net.connect(sg, p0, {"rule": "all_to_all"}, 1.0, 1.0, 0)
    net.connect(sg, p1, {"rule": "all_to_all"}, 1.0, 1.0, 1, receptor=1)
    net.connect(p0, sr, {"rule": "all_to_all"}, 1.0, 1.0, 2)
    net.connect(p1, sr, {"rule": "all_to_all"}, 1.0, 1.0, 3)
    with pytest.raises(ValueError, match="has only receptor 0 and 1..1"):
        net.connect(sg, p0, {"rule": "all_to_all"}, 1.0, 1.0, 4, receptor=2)
    net.run(50)
    assert set(dict(net.take_events(sr))["senders"]) == {net.first_gid(p0)}


@pytest.mark.parametrize(
    "synapse, params, message",
    [
        ("no_such_synapse", {}, "synapse: unknown synapse model no_such_synapse"),
        ("iaf_psc_alpha", {}, "synapse: unknown synapse model iaf_psc_alpha"),
        ("stdp_synapse", {"tau_pluss": 3.0}, "tau_pluss: not a parameter of stdp_synapse"),
        ("stdp_synapse", {"tau_plus": -1.0}, "tau_plus: must be > 0"),
        ("tsodyks_synapse", {"U": 2.0}, "U: must be <= 1"),
        ("stdp_synapse", {"weight_recorder": 0.0}, "weight_recorder: node 0.* is not a weight_recorder"),
        ("stdp_dopamine_synapse", {}, "volume_transmitter: stdp_dopamine_synapse needs a volume_transmitter"),
    ],
)
def test_bad_synapse_settings_are_refused_by_name(synapse, params, message):
    net = _core.Network(0.1, 1, 1)
    a = net.add_node("parrot_neuron", 2, {})
    with pytest.raises(ValueError, match=message):
        net.connect(a, a, {"rule": "all_to_all"}, 1.0, 1.0, 0, synapse=synapse,
                    synapse_params=params)


def test_plastic_synapses_from_devices_are_refused():
    net = _core.Network(0.1, 1, 1)
    pg = net.add_node("poisson_generator", 1, {"rate": [10.0], **WINDOW})
    a = net.add_node("parrot_neuron", 2, {})
    with pytest.raises(ValueError, match="stdp_synapse connects neurons only"):
        net.connect(pg, a, {"rule": "all_to_all"}, 1.0, 1.0, 0, synapse="stdp_synapse")


def test_a_rule_that_cannot_be_met_names_its_connection_at_build():
    net = _core.Network(0.1, 1, 2)
    a = net.add_node("parrot_neuron", 3, {})
    net.connect(a, a, {"rule": "fixed_indegree", "indegree": 3, "allow_autapses": False,
                       "allow_multapses": False}, 1.0, 1.0, 7)
    with pytest.raises(ValueError, match="connection 7: fixed_indegree cannot find enough"):
        net.build()


def test_registry_lists_synapse_models_with_defaults_and_common_parameters():
    models = _core.models()
    stdp = models["stdp_synapse_hom"]
    assert stdp["kind"] == "synapse" and stdp["archive"]
    assert {"tau_plus", "lambda", "Wmax", "weight_recorder"} <= set(stdp["common"])
    assert stdp["defaults"]["tau_plus"] == 20.0 and stdp["defaults"]["Wmax"] == 100.0
    assert "tau_plus" not in models["stdp_synapse"]["common"]
    assert models["vogels_sprekeler_synapse"]["defaults"]["weight"] == 0.5
    assert {"tau_minus", "tau_minus_triplet"} <= set(models["iaf_psc_alpha"]["params"])
    assert "tau_minus" not in models["spike_train_injector"]["params"]
