"""NEST Desktop's spatial nodes, masks and spatial parameters import as spikedesk layers,
masks and expressions, as NEST Desktop's own script would create them."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from spikedesk.project_files import io, nest_desktop, pynest
from spikedesk.project_files.parameters import Expression
from spikedesk.project_files.validation import ProjectError

DATA = Path(__file__).resolve().parents[1] / "data" / "nest_desktop"
SPATIAL = [
    DATA / "4x" / "spatial-neurons.json",
    DATA / "4x" / "spatial-spike-activity.json",
    DATA / "3x" / "usecases_ViSimpl_Brunel_network.json",
]
RANDOM = Expression("random.uniform(min=-0.5, max=0.5)")


def test_the_spatial_examples_become_free_layers():
    (neurons,) = nest_desktop.import_data(json.loads(SPATIAL[0].read_text()))
    layer = {n.id: n for n in neurons.nodes}["P1"].spatial
    assert (layer.kind, layer.pos, layer.num_dimensions) == ("free", RANDOM, 2)
    assert {n.id: n.size for n in neurons.nodes}["P1"] == 100
    (visimpl,) = nest_desktop.import_data(json.loads(SPATIAL[2].read_text()))
    layers = {n.id: (n.size, n.spatial) for n in visimpl.nodes if n.spatial is not None}
    assert {k: (size, lay.num_dimensions) for k, (size, lay) in layers.items()} == {
        "P1": (500, 3),
        "P2": (2000, 3),
    }
    for project in (neurons, visimpl):
        assert io.loads(io.dumps(project)) == project


def _project(nodes, connections):
    return {
        "name": "spatial",
        "network": {"nodes": nodes, "connections": connections},
        "simulation": {"time": 10, "kernel": {"rngSeed": 3}},
        "version": "4.2",
    }


GRID = {
    "model": "iaf_psc_alpha",
    "size": 9,
    "spatial": {
        "positions": "grid",
        "specs": {"columns": 4, "rows": 3, "edgeWrap": True, "extent": [2, 1], "center": [0, 0]},
    },
}
FREE = {
    "model": "iaf_psc_alpha",
    "size": 3,
    "spatial": {
        "positions": "free",
        "specs": {"numDimensions": 2, "pos": [[0.123, -0.2], [0.3, 0.4], [-0.45, 0.1]]},
    },
}


def test_grids_free_lists_masks_and_kernels():
    data = _project(
        [GRID, FREE],
        [
            {
                "source": 0,
                "target": 1,
                "rule": "pairwise_bernoulli",
                "params": [
                    {
                        "id": "p",
                        "type": {
                            "id": "spatial_distributions.gaussian",
                            "specs": [{"id": "mean", "value": 0}, {"id": "std", "value": 0.25}],
                        },
                    },
                    {"id": "use_on_source", "value": True},
                ],
                "mask": {
                    "masktype": "elliptical",
                    "specs": {
                        "major_axis": 1,
                        "minor_axis": 0.5,
                        "azimuth_angle": 30,
                        "anchor": [0.1, 0],
                    },
                },
                "synapse": {
                    "params": [
                        {
                            "id": "weight",
                            "type": {
                                "id": "spatial.distance",
                                "specs": [{"id": "a", "value": 5}, {"id": "c", "value": 1}],
                            },
                        },
                        {"id": "delay", "value": 2},
                    ]
                },
            }
        ],
    )
    (item,) = nest_desktop.read(data)
    assert item.problems == []
    grid, free = item.project.nodes
    # NEST Desktop's script: nest.spatial.grid([columns, rows]) and the listed positions
    assert (grid.spatial.shape, grid.spatial.extent, grid.spatial.edge_wrap) == (
        (4, 3),
        None,
        False,
    )
    assert grid.size == 12  # the layer's, not the file's 9
    assert free.spatial.pos == ((0.12, -0.2), (0.3, 0.4), (-0.45, 0.1))
    (conn,) = item.project.connections
    rule = conn.rule.params
    assert rule["p"] == Expression(
        "spatial_distributions.gaussian(spatial.distance, mean=0.0, std=0.25)"
    )
    assert rule["use_on_source"] is True
    assert dict(rule["mask"]["elliptical"]) == {
        "major_axis": 1.0,
        "minor_axis": 0.5,
        "azimuth_angle": 30.0,
    }
    assert tuple(rule["mask"]["anchor"]) == (0.1, 0.0)
    assert conn.synapse.weight == Expression("5.0 * spatial.distance + 1.0")
    notes = " ".join(item.notes)
    assert "without edgeWrap, extent" in notes
    assert "size 9 differs from its layer's 12 positions" in notes
    assert "elliptical mask is applied" in notes
    assert io.loads(io.dumps(item.project)) == item.project


@pytest.mark.parametrize(
    ("spatial", "fragment"),
    [
        ({"positions": "hexagonal"}, "positions must be 'grid' or 'free'"),
        ({"positions": "grid", "specs": {"shape": [0, 3]}}, "grid shape must be between 1"),
        ({"positions": "grid", "specs": {"shape": [2, 2, 2, 2]}}, "2 or 3 numbers"),
        (
            {"positions": "free", "specs": {"numDimensions": 2, "pos": [[0, 0, 0]]}},
            "a position needs 2 numbers",
        ),
        ({"positions": "free", "specs": {"pos": [[0, 0], [0, 0]]}}, "give the layer an extent"),
        ({"positions": "free", "specs": "all"}, "spatial specs must be an object"),
    ],
)
def test_a_bad_layer_is_named(spatial, fragment):
    data = _project([{"model": "iaf_psc_alpha", "size": 4, "spatial": spatial}], [])
    with pytest.raises(ProjectError) as err:
        nest_desktop.import_data(data)
    assert "nodes[0].spatial" in str(err.value) and fragment in str(err.value)


def test_a_bad_mask_is_named():
    conn = {
        "source": 0,
        "target": 0,
        "rule": "pairwise_bernoulli",
        "params": [{"id": "p", "value": 0.5}],
        "mask": {"masktype": "star", "specs": {}},
    }
    with pytest.raises(ProjectError) as err:
        nest_desktop.import_data(_project([GRID], [conn]))
    assert "connections[0].mask" in str(err.value) and "'star'" in str(err.value)


def test_a_spatial_parameter_between_plain_nodes_is_refused():
    plain = {"model": "iaf_psc_alpha", "size": 4}
    conn = {
        "source": 0,
        "target": 0,
        "synapse": {"params": [{"id": "weight", "type": {"id": "spatial.distance", "specs": []}}]},
    }
    with pytest.raises(ProjectError) as err:
        nest_desktop.import_data(_project([plain], [conn]))
    assert "spatial.distance needs positions" in str(err.value)


@pytest.mark.skipif(importlib.util.find_spec("nest") is None, reason="nest is not installed")
@pytest.mark.nest
def test_the_imported_spatial_examples_export_to_scripts_nest_runs(tmp_path):
    for path in SPATIAL:
        (project,) = nest_desktop.import_data(json.loads(path.read_text()))
        short = dataclasses.replace(project.simulation, duration=50.0)
        script = tmp_path / f"{path.stem}.py"
        script.write_text(pynest.export(dataclasses.replace(project, simulation=short)))
        done = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={**os.environ, "PYNEST_QUIET": "1"},
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert "nest.spatial.free(pos=nest.random.uniform(min=-0.5, max=0.5)" in script.read_text()
