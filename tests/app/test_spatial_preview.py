"""The inspector's preview of a spatial connection: the engine's own masks and kernel around
one driver neuron, against the synapses the engine builds."""

from __future__ import annotations

import re

import numpy as np
from spikedesk.app.spatial_preview import preview, preview_figure
from spikedesk.engine import connections
from spikedesk.project_files import examples_dir, io


def spatial_project(rule: dict) -> object:
    layer = {"grid": {"shape": [15, 15], "extent": [1.0, 1.0], "edge_wrap": True}}
    return io.from_dict({
        "format": "spikedesk-project", "version": 3,
        "nodes": [{"id": "A", "model": "iaf_psc_alpha", "spatial": layer},
                  {"id": "B", "model": "iaf_psc_alpha", "spatial": layer}],
        "connections": [{"id": "c", "source": "A", "target": "B", "rule": rule}],
    })  # fmt: skip


def test_the_mask_around_a_source_holds_exactly_its_targets():
    mask = {"circular": {"radius": 0.21}, "anchor": [0.1, 0.0]}
    p = spatial_project({"rule": "pairwise_bernoulli", "p": 1.0, "mask": mask})
    table = connections(p)["c"]
    for driver in (0, 112, 224):
        pv = preview(p, "c", driver)
        assert pv.driver_node == "A" and pv.candidate_node == "B" and pv.driver_is_source
        mine = table["targets"][table["sources"] == 1 + driver] - 226
        assert set(np.nonzero(pv.inside)[0]) == set(mine.tolist())
        assert np.all(pv.p == 1.0)


def test_use_on_source_and_the_kernel_values():
    mask = {"rectangular": {"lower_left": [0.0, -0.1], "upper_right": [0.3, 0.1]}}
    kernel = "spatial_distributions.gaussian(spatial.distance, std=0.2)"
    p = spatial_project({"rule": "pairwise_bernoulli", "p": 1.0, "mask": mask,
                         "use_on_source": True})  # fmt: skip
    table = connections(p)["c"]
    pv = preview(p, "c", 40)
    assert pv.driver_node == "B" and not pv.driver_is_source
    assert set(np.nonzero(pv.inside)[0]) == set(table["sources"][table["targets"] == 266] - 1)
    kp = spatial_project({"rule": "fixed_indegree", "indegree": 5, "p": kernel, "mask": mask})
    pv = preview(kp, "c")
    d = pv.candidates - pv.driver
    d -= np.round(d)  # the periodic distance on the unit torus
    np.testing.assert_allclose(pv.p, np.exp(-(d**2).sum(axis=1) / (2 * 0.2**2)), rtol=1e-12)
    assert pv.driver_index == 112  # the neuron nearest the centre by default


def test_the_figure_of_the_example():
    project = io.load(examples_dir() / "spatial_brunel.json")
    pv = preview(project, "E_E")
    fig = preview_figure(pv, {"E": "E"})
    assert re.match(r"\d+ of 800 E in the mask of E\[\d+\]", fig.title.text)
    assert 0 < pv.inside.sum() < len(pv.inside)
