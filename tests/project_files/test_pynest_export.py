"""PyNEST export: deterministic, readable, and it runs on real NEST with the expected rates."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
from spikedesk.app.cli import main
from spikedesk.project_files import io, pynest
from spikedesk.project_files.project import Project, RandomParameter, frozen_map

EXAMPLES = sorted(
    (Path(__file__).resolve().parents[2] / "project_files" / "examples").glob("*.json")
)


def nest_available() -> bool:
    """Whether nest-simulator is installed, without importing it here: NEST must be imported
    by the thread that calls it (the NEST backend's own thread in the app's tests)."""
    return importlib.util.find_spec("nest") is not None


needs_nest = pytest.mark.skipif(not nest_available(), reason="nest-simulator is not installed")


def run_script(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_export_is_deterministic_and_creates_nodes_in_order():
    project = io.load(EXAMPLES[0].parent / "brunel.json")
    script = pynest.export(project)
    assert script == pynest.export(project)
    created = re.findall(r"^(\w+) = nest.Create\('(\w+)'", script, flags=re.M)
    assert [name for name, _ in created] == [
        pynest.variable_names(project.nodes)[n.id] for n in project.nodes
    ]
    assert "E[[0, 1, 2, 3, 4]]" in script  # the voltmeter's subset
    compile(script, "brunel.py", "exec")


def test_random_parameters_become_nest_random_with_bounds():
    uniform = RandomParameter("uniform", frozen_map({"min": 0.0, "max": 20.0}))
    assert pynest.value_code(uniform) == "nest.random.uniform(min=0.0, max=20.0)"
    normal = RandomParameter(
        "normal", frozen_map({"mean": 1.0, "std": 0.5}), low=0.1, bound="redraw"
    )
    assert (
        pynest.value_code(normal)
        == "nest.math.redraw(nest.random.normal(mean=1.0, std=0.5), min=0.1)"
    )
    clipped = RandomParameter("normal", frozen_map({"mean": 1.0, "std": 0.5}), low=0.0, high=2.0)
    assert pynest.value_code(clipped) == (
        "nest.math.min(nest.math.max(nest.random.normal(mean=1.0, std=0.5), 0.0), 2.0)"
    )


def test_variable_names_are_identifiers_and_unique():
    from spikedesk.project_files.project import Node

    names = pynest.variable_names(
        [
            Node("1st", "iaf_psc_delta"),
            Node("nest", "iaf_psc_delta"),
            Node("a-b", "iaf_psc_delta"),
            Node("a_b", "iaf_psc_delta"),
        ]
    )
    assert all(n.isidentifier() for n in names.values())
    assert len(set(names.values())) == 4 and names["nest"] != "nest"


@needs_nest
@pytest.mark.nest
def test_exported_brunel_runs_on_nest_with_brunel_rates(tmp_path):
    out = tmp_path / "brunel.py"
    assert (
        main(["convert", str(EXAMPLES[0].parent / "brunel.json"), "--to", "pynest", "-o", str(out)])
        == 0
    )
    text = run_script(out)
    rates = dict(re.findall(r"^  (\w+): ([\d.]+) spikes/s", text, flags=re.M))
    # NEST 3.10, seed 1: E 15.9, I 17.1 spikes/s; a band that catches a broken export
    assert 12.0 < float(rates["E"]) < 22.0
    assert 12.0 < float(rates["I"]) < 22.0
    assert "vm 49950 samples" in text  # 5 neurons x 9990 samples (NEST omits the last slice)


@needs_nest
@pytest.mark.nest
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_exports_a_script_nest_runs(example, tmp_path):
    project: Project = io.load(example)
    out = tmp_path / f"{example.stem}.py"
    out.write_text(pynest.export(project))
    text = run_script(out)
    for recorder in (n.id for n in project.nodes if n.model.endswith(("recorder", "meter"))):
        assert recorder in text


def test_convert_never_leaves_a_partial_file(tmp_path):
    good = tmp_path / "script.py"
    good.write_text("keep me\n")
    bad = tmp_path / "broken.json"
    bad.write_text("{ not json")
    assert main(["convert", str(bad), "--to", "pynest", "-o", str(good)]) == 1
    assert good.read_text() == "keep me\n"
    assert not list(tmp_path.glob(".script.py.*"))


NEST_DESKTOP = Path(__file__).resolve().parents[1] / "data" / "nest_desktop" / "3x"
COND = [
    "logical_operators_AND_XOR_functions.json",
    "single_neuron_models_high_conductance_state.json",
    "single_neuron_models_neuron_time_constant.json",
    "single_neuron_models_psc_vs_cond.json",
    "usecases_NRP_Husky_Braitenberg.json",
]


@needs_nest
@pytest.mark.nest
@pytest.mark.parametrize("name", COND, ids=lambda n: n.removesuffix(".json"))
def test_imported_iaf_cond_alpha_projects_export_to_scripts_nest_runs(name, tmp_path):
    """The export of imported conductance-based projects runs on NEST; where the input is
    deterministic (no Poisson generator), NEST counts the same spikes as spikedesk."""
    import dataclasses
    import json

    from spikedesk.engine import simulate
    from spikedesk.project_files import nest_desktop

    path = NEST_DESKTOP / name
    for number, project in enumerate(nest_desktop.import_data(json.loads(path.read_text()))):
        project = dataclasses.replace(
            project, simulation=dataclasses.replace(project.simulation, duration=300.0)
        )
        out = tmp_path / f"p{number}.py"
        out.write_text(pynest.export(project))
        text = run_script(out)
        if any(n.model.startswith(("poisson", "noise")) for n in project.nodes):
            continue
        nest_counts = dict(re.findall(r"^(\w+) (\d+) spikes$", text, flags=re.M))
        ours = simulate(project).events
        for recorder, count in nest_counts.items():
            assert len(ours[recorder]["times"]) == int(count), recorder


def _reference_cases() -> list[str]:
    import json

    manifest = Path(__file__).resolve().parents[1] / "data" / "reference" / "model_traces.json"
    return sorted(c for c in json.loads(manifest.read_text())["cases"] if c.endswith("_dc"))


@needs_nest
@pytest.mark.nest
@pytest.mark.parametrize("case", _reference_cases())
def test_every_model_exports_a_script_nest_runs_with_our_spike_counts(case, tmp_path):
    """The PyNEST export of each model's dc reference case runs on NEST unchanged and NEST
    counts the spikes spikedesk counts (dc input is deterministic; gif models spike at
    random, so only their script is run)."""
    import json

    from spikedesk.engine import _core, simulate

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "validation"))
    from test_nest_model_traces import MANIFEST, RANDOM_SPIKES, case_model, engine_project

    entry = MANIFEST["cases"][case]
    model = case_model(entry)
    if model not in _core.models():
        pytest.skip(f"{model} is not implemented by the engine yet")
    project = engine_project(entry, model)
    out = tmp_path / f"{case}.py"
    out.write_text(pynest.export(project))
    text = run_script(out)
    nest_counts = dict(re.findall(r"^(\w+) (\d+) spikes$", text, flags=re.M))
    assert nest_counts, text
    if model in RANDOM_SPIKES:
        return
    ours = simulate(project).events
    for recorder, count in nest_counts.items():
        assert len(ours[recorder]["times"]) == int(count), (recorder, json.dumps(text[-300:]))


def _stimulator_project() -> Project:
    """Every new stimulator, per-device values (one per device, a list per device) and a
    spike_train_injector with its own spike times per neuron."""
    from spikedesk.project_files.project import Connection, Node, Rule, Simulation, Synapse

    def node(id, model, size=1, **params):
        return Node(id=id, model=model, size=size, params=frozen_map(params))

    def conn(id, source, target, rule="all_to_all", weight=1.0):
        return Connection(
            id=id,
            source=source,
            target=target,
            rule=Rule(rule, frozen_map({})),
            synapse=Synapse(weight=weight, delay=1.0),
        )

    nodes = [
        node("n", "iaf_psc_alpha", 3),
        node("dc", "dc_generator", 3, amplitude=(300.0, 400.0, 500.0)),
        node(
            "pp",
            "pulsepacket_generator",
            3,
            pulse_times=((10.0,), (20.0, 40.0), (30.0,)),
            activity=(2, 3, 4),
            sdev=0.0,
        ),
        node("sti", "spike_train_injector", 2, spike_times=((5.0, 6.0), (7.0,))),
        node(
            "spg",
            "sinusoidal_poisson_generator",
            rate=50.0,
            amplitude=10.0,
            frequency=5.0,
            individual_spike_trains=False,
        ),
        node("sgg", "sinusoidal_gamma_generator", rate=20.0, order=2.0),
        node("mip", "mip_generator", rate=20.0, p_copy=0.5),
        node("gsg", "gamma_sup_generator", rate=10.0, gamma_shape=2, n_proc=3),
        node("ppd", "ppd_sup_generator", rate=10.0, dead_time=2.0, n_proc=3),
        node("p", "parrot_neuron", 3),
        node("rec", "spike_recorder"),
        node("sti_rec", "spike_recorder"),
    ]
    conns = [
        conn("dc-n", "dc", "n", "one_to_one"),
        conn("pp-p", "pp", "p", "one_to_one"),
        conn("p-rec", "p", "rec"),
        conn("sti-rec", "sti", "sti_rec"),
        *(conn(f"{g}-n", g, "n", weight=10.0) for g in ("spg", "sgg", "mip", "gsg", "ppd")),
    ]
    return Project(
        name="stimulators",
        simulation=Simulation(duration=100.0, resolution=0.1, seed=1, threads=1),
        nodes=tuple(nodes),
        connections=tuple(conns),
    )


@needs_nest
def test_new_stimulators_and_per_device_values_export_and_run_on_nest(tmp_path):
    from spikedesk.engine import simulate

    project = _stimulator_project()
    script = pynest.export(project)
    assert "nest.CopyModel('sinusoidal_poisson_generator'" in script
    assert "'individual_spike_trains': False" in script
    out = tmp_path / "stimulators.py"
    out.write_text(script)
    stdout = run_script(out)
    results = simulate(project)
    # the deterministic parts agree exactly: 2 + 3 + 3 + 4 packet spikes (pulse 40 too) through
    # the parrots, 3 injector spikes
    assert len(results.events["rec"]["times"]) == 12
    assert len(results.events["sti_rec"]["times"]) == 3
    assert "rec 12 spikes" in stdout and "sti_rec 3 spikes" in stdout


def test_correlation_detectors_export_with_weights_channels_and_status():
    """Detector connections keep weight, delay and receptor_type (the channel); results are
    NEST's status values. (The script runs on NEST: tools/reference's correlation case.)"""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "validation"))
    from validation_projects import build_project, load_manifest

    case = load_manifest("recorder_traces.json")["cases"]["correlation"]["project"]
    script = pynest.export(build_project(case))
    assert (
        "nest.Connect(pb, cd_weighted, {'rule': 'all_to_all'}, {'synapse_model': "
        "'static_synapse', 'weight': 0.5, 'delay': 2.0, 'receptor_type': 1})" in script
    )
    assert "print('cm', cm.get(['covariance', 'count_covariance', 'n_events']))" in script
    compile(script, "export.py", "exec")


def test_an_exported_script_gets_the_users_normal_permissions(tmp_path):
    """Files are written atomically through a temp file (mode 0600), then given what the
    umask allows, like any file the user saves."""
    import os

    out = tmp_path / "brunel.py"
    old = os.umask(0o022)
    try:
        assert main(["convert", str(EXAMPLES[0].parent / "brunel.json"), "--to", "pynest",
                     "-o", str(out)]) == 0  # fmt: skip
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644
