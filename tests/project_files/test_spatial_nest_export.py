"""Spatial projects on NEST: the translation, the PyNEST export and the NEST backend.

The cases are those of the NEST reference statistics (tests/validation/spatial_stats.py,
loaded by its path). The exported scripts run on NEST 3.10 in a subprocess (NEST is never
imported by this test process) and, as the export is the translation the reference generator
used, give exactly the reference's connections for seed 1.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from spikedesk.project_files import io, nest_translation, pynest, spatial

TESTS = Path(__file__).resolve().parents[1]
REFERENCE = json.loads((TESTS / "data" / "reference" / "spatial_statistics.json").read_text())


def _stats():
    spec = importlib.util.spec_from_file_location(
        "spatial_stats_cases", TESTS / "validation" / "spatial_stats.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


STATS = _stats()
needs_nest = pytest.mark.skipif(
    importlib.util.find_spec("nest") is None, reason="nest-simulator is not installed"
)


def case_project(name: str, seed: int = 1):
    return io.from_dict(STATS.project_for(STATS.CASES[name], seed))


def test_layers_become_nest_positions():
    network = nest_translation.describe(case_project("grid_offcentre"))
    (node,) = network.nodes
    assert node.positions is not None and node.size == 96
    assert nest_translation.positions_args(node.positions) == (
        "grid", {"shape": [12, 8], "center": [0.5, -0.2], "extent": [1.2, 0.8]},
    )  # fmt: skip
    assert not nest_translation.creates_size(node)  # NEST refuses n with a grid
    drawn = nest_translation.describe(case_project("free3d_random")).nodes[0]
    kind, args = nest_translation.positions_args(drawn.positions)
    assert kind == "free" and args["num_dimensions"] == 3 and str(args["pos"]).startswith("random")
    assert nest_translation.creates_size(drawn)
    wrapped = nest_translation.describe(case_project("free_random_wrap")).nodes[0]
    # NEST takes num_dimensions only without an extent
    assert nest_translation.positions_args(wrapped.positions)[1].keys() == {
        "pos", "extent", "edge_wrap",
    }  # fmt: skip


def test_spatial_rule_keys_pass_through_as_plain_values():
    (conn,) = nest_translation.describe(case_project("use_on_source_anchored")).connections
    assert conn.conn_spec == {
        "rule": "pairwise_bernoulli",
        "p": 0.7,
        "use_on_source": True,
        "mask": {"circular": {"radius": 0.17}, "anchor": [0.15, 0.05]},
    }
    assert type(conn.conn_spec["mask"]) is dict  # NEST takes no read-only mapping


def test_the_export_writes_nest_spatial_code():
    script = pynest.export(case_project("gaussian_kernel"))
    assert "L = nest.Create('iaf_psc_alpha', positions=nest.spatial.grid(shape=[15, 15]))" in script
    assert (
        "'p': 0.9 * nest.spatial_distributions.gaussian(nest.spatial.distance, mean=0.0, "
        "std=0.15), "
        "'mask': {'circular': {'radius': 0.41}}"
    ) in script
    script = pynest.export(case_project("free3d_random"))
    assert (
        "F = nest.Create('iaf_psc_alpha', 200, positions=nest.spatial.free("
        "pos=nest.random.uniform(min=-0.5, max=0.5), num_dimensions=3))"
    ) in script
    script = pynest.export(case_project("weight_delay_distance"))
    assert "'weight': 1.0 + 5.0 * nest.spatial.distance" in script


def test_grid_params_lists_are_set_after_create():
    """NEST checks a list of per-neuron dicts against n, which a grid's Create omits."""
    data = STATS.project_for(STATS.CASES["grid3d_box_angles"], 1)
    data["nodes"][0]["model"] = "iaf_psc_exp_multisynapse"
    data["nodes"][0]["params"] = {"tau_syn": [[1.0 + i % 3, 2.0] for i in range(216)]}
    data["connections"] = []
    script = pynest.export(io.from_dict(data))
    assert "L = nest.Create('iaf_psc_exp_multisynapse', positions=nest.spatial.grid(" in script
    assert "L.set([\n    {'tau_syn': [1.0, 2.0]}," in script  # one dict per neuron, after


# runs every exported script in one NEST process (each starts with nest.ResetKernel()) and
# reports its number of connections and the position of the first layer's first neuron
RUNNER = """
import json, runpy, sys
import nest
out = {}
for name, (path, layer) in json.loads(sys.argv[1]).items():
    made = runpy.run_path(path, run_name="__main__")
    first = nest.GetPosition(made[layer][0])
    out[name] = {"n": nest.num_connections, "first": list(first)}
print("RESULT " + json.dumps(out))
"""


@needs_nest
@pytest.mark.nest
def test_exported_spatial_scripts_run_on_nest_with_the_reference_connections(tmp_path):
    scripts = {}
    for name in STATS.CASES:
        path = tmp_path / f"{name}.py"
        project = case_project(name, seed=REFERENCE["seeds"][0])
        path.write_text(pynest.export(project))
        scripts[name] = (str(path), pynest.variable_names(project.nodes)[project.nodes[0].id])
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER)
    done = subprocess.run(
        [sys.executable, str(runner), json.dumps(scripts)],
        capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "PYNEST_QUIET": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    results = json.loads(line.removeprefix("RESULT "))
    for name, got in results.items():
        ref = REFERENCE["cases"][name]
        assert got["n"] == ref["per_seed"][0]["n"], name  # the same NEST, the same seed
        node = ref["project"]["nodes"][0]
        if "grid" in node["spatial"]:
            expected = ref["grid_positions"][node["id"]]["0"]
            assert np.allclose(got["first"], expected, rtol=0, atol=1e-12), name
            layer = spatial.layer_from_json(node["spatial"])
            placed = spatial.place(layer, layer.size).positions[0]
            assert np.allclose(placed, expected, rtol=0, atol=1e-12), name  # ours = NEST's


@needs_nest
@pytest.mark.nest
def test_the_nest_backend_builds_layers_and_returns_their_positions():
    from spikedesk.engine.backends import NESTBackend

    backend = NESTBackend()
    project = case_project("grid_offcentre")
    chunks = list(backend.run(project, chunk=1.0))
    assert chunks[-1].time == pytest.approx(1.0)
    (node,) = project.nodes
    expected = np.asarray(spatial.place(node.spatial, node.size).positions)
    assert backend.positions["L"].shape == (96, 2)
    assert np.allclose(backend.positions["L"], expected, rtol=0, atol=1e-12)
    list(backend.run(case_project("free3d_random"), chunk=1.0))
    drawn = backend.positions["F"]
    assert drawn.shape == (200, 3) and np.all(np.abs(drawn) <= 0.5)


STDP_SCRIPT_CHECK = """
import runpy, sys
import nest
made = runpy.run_path(sys.argv[1], run_name="__main__")
conns = nest.GetConnections(made["L"], made["L"])
models = sorted(set(conns.get("synapse_model")))
print("RESULT", len(conns), sorted(set(conns.get("tau_plus"))), models)
"""


def test_a_spatial_connections_synapse_parameters_go_into_a_copy_model(tmp_path):
    """NEST's ConnectLayers takes only weight, delay, synapse_model and receptor_type."""
    data = STATS.project_for(STATS.CASES["grid_offcentre"], 1)
    data["connections"][0]["synapse"] = {"model": "stdp_synapse", "weight": 2.0,
                                         "params": {"tau_plus": 15.0, "Wmax": 50.0}}  # fmt: skip
    project = io.from_dict(data)
    (conn,) = nest_translation.describe(project).connections
    assert conn.syn_spec == {"synapse_model": "stdp_synapse_c", "weight": 2.0, "delay": 1.0}
    (copy,) = nest_translation.describe(project).copy_models
    assert (copy.existing, copy.params) == ("stdp_synapse", {"Wmax": 50.0, "tau_plus": 15.0})
    plain = STATS.project_for(STATS.CASES["grid_offcentre"], 1)
    plain["connections"][0]["rule"] = {"rule": "pairwise_bernoulli", "p": 0.5}
    plain["connections"][0]["synapse"] = data["connections"][0]["synapse"]
    (conn,) = nest_translation.describe(io.from_dict(plain)).connections
    assert conn.syn_spec["tau_plus"] == 15.0  # not spatial: per synapse, as before
    if importlib.util.find_spec("nest") is None:
        return
    script = tmp_path / "stdp.py"
    script.write_text(pynest.export(project))
    check = tmp_path / "check.py"
    check.write_text(STDP_SCRIPT_CHECK)
    done = subprocess.run(
        [sys.executable, str(check), str(script)], capture_output=True, text=True,
        timeout=300, check=False, env={**os.environ, "PYNEST_QUIET": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    ref = REFERENCE["cases"]["grid_offcentre"]["per_seed"][0]["n"]
    assert f"RESULT {ref} [15.0] ['stdp_synapse_c']" in done.stdout
