"""The spatial activity view's numbers: decaying per-neuron activity from streamed spikes,
the layers and activity handed to the browser, for a real spatial run."""

from __future__ import annotations

import math

import numpy as np
from spikedesk.app.spatial_view import SpatialActivity, SpatialView
from spikedesk.engine import stream
from spikedesk.project_files import examples_dir, io


def test_activity_is_a_decaying_spike_count():
    a = SpatialActivity({"E": 3}, tau_ms=10.0)
    node_ids = {"E": (5, 3)}
    a.add(np.array([5, 7, 7]), np.array([2.0, 5.0, 10.0]), node_ids, now=10.0)
    np.testing.assert_allclose(a.values["E"], [math.exp(-0.8), 0.0, math.exp(-0.5) + 1.0])
    a.add(np.array([], dtype=np.int64), np.array([]), node_ids, now=20.0)
    np.testing.assert_allclose(
        a.values["E"], np.array([math.exp(-0.8), 0.0, math.exp(-0.5) + 1.0]) * math.exp(-1)
    )
    np.testing.assert_allclose(a.rates("E"), a.values["E"] * 100.0)
    a.add(np.array([1, 9]), np.array([20.0, 20.0]), node_ids, now=20.0)  # other nodes' gids
    assert a.values["E"][1] == 0.0


def test_the_view_shows_the_layers_and_their_activity_while_a_run_streams():
    project = io.load(examples_dir() / "spatial_brunel.json")
    view = SpatialView()
    view.start(project)
    assert not view.cloud.visible
    for chunk in stream(project, chunk=100.0, duration=200.0):
        view.show(chunk.events, chunk.node_ids, chunk.positions, chunk.time)
    layers = {layer["id"]: layer for layer in view.cloud.layers}
    assert set(layers) == {"E", "I"} and view.cloud.visible
    assert layers["E"]["dims"] == 2 and len(layers["E"]["points"]) == 800 * 2
    assert layers["E"]["label"] == "E" and layers["I"]["marker"] != layers["E"]["marker"]
    e = np.asarray(view.cloud.activity["E"])
    assert e.shape == (800,) and 0.0 <= e.min() and e.max() <= 1.0
    assert (e > 0).mean() > 0.5  # most neurons fired in the last tens of ms
    assert "Activity at 200 ms" in view.status.object and "spikes/s" in view.status.object
    rate = view.activity.rates("E").mean()
    assert 5.0 < rate < 60.0, rate  # the example fires at about 20 spikes/s
