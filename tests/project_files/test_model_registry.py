"""One definition per model: the engine registry, catalog.json and catalog_ui.json agree; the
committed catalog is exactly what tools/catalog/generate_catalog.py writes; constraints from
the catalog are checked generically, naming node, parameter and constraint."""

from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys

import pytest
from spikedesk.engine import _core
from spikedesk.project_files import catalog
from spikedesk.project_files.validation import Problem, validate



@pytest.fixture(scope="module")
def everything() -> dict:
    return _core.models()


@pytest.fixture(scope="module")
def engine(everything) -> dict:
    """The engine's node models (neurons, devices), without its synapse models."""
    return {name: info for name, info in everything.items() if info["kind"] != "synapse"}


@pytest.fixture(scope="module")
def ui(repo) -> dict:
    return json.loads((repo / "assets" / "catalog_ui.json").read_text(encoding="utf-8"))


def test_engine_catalog_and_ui_name_the_same_models(engine, ui):
    assert set(engine) == set(catalog.models()) == set(ui["models"])


def test_same_kinds_params_and_recordables(engine, ui):
    for name, spec in catalog.models().items():
        info = engine[name]
        assert info["kind"] == spec.kind, name
        assert sorted(info["params"]) == sorted(spec.params), name
        assert sorted(ui["models"][name]["params"]) == sorted(spec.params), name
        assert sorted(info["recordables"]) == sorted(spec.recordables), name
        assert ui["models"][name]["family"] == spec.family, name
        assert ui["models"][name]["label"] == spec.label, name


def test_same_constraints(engine):
    if not all("constraints" in info for info in engine.values()):
        pytest.skip("the engine registry does not export constraints yet (_core.models())")
    for name, spec in catalog.models().items():
        if name not in engine:
            continue
        ours = sorted(tuple(c) for c in spec.constraints)
        theirs = sorted(tuple(c) for c in engine[name]["constraints"])
        assert theirs == ours, name


def test_same_receptors(engine):
    if not all("receptors" in info for info in engine.values() if info["kind"] == "neuron"):
        pytest.skip("the engine registry does not export receptors yet (_core.models())")
    for name, spec in catalog.models().items():
        if spec.kind == "neuron" and name in engine:
            assert engine[name]["receptor_ports"] == spec.receptor_ports, name
            if spec.receptor_ports is None:
                assert dict(engine[name]["receptors"]) == dict(spec.receptors), name


def test_catalog_metadata_is_complete():
    """What the app reads instead of a model name is there for every model."""
    families = catalog.families()
    for name, spec in catalog.models().items():
        assert spec.family in families, name
        assert spec.label and spec.id_prefix, name
        assert spec.nest_doc.get("summary") and spec.nest_doc.get("source"), name
        if spec.kind == "neuron":
            assert spec.weight is not None and spec.weight.meaning, name
            assert spec.role in (None, "spike source"), name  # spike_train_injector
        else:
            assert spec.weight is None and spec.role is not None, name
        if spec.role == "weight recorder":
            assert spec.events == ("senders", "targets", "times", "weights"), name
        elif spec.kind == "recorder" and spec.role == "correlation detector":
            # results are status values (NEST's names), the first one a histogram
            assert spec.events and "n_events" in spec.events, name
            assert {"delta_tau", "tau_max"} <= set(spec.params), name
        elif spec.kind == "recorder":
            assert spec.role in ("spike recorder", "sampler") and spec.events[:2] == (
                "senders",
                "times",
            ), name
        for left, op, right in spec.constraints:
            assert left in spec.params and op in (">", ">=", "<", "<=", "!="), name
            assert isinstance(right, (int, float)) or right == "resolution" or right in spec.params


def test_synapse_models_of_the_engine_match_the_catalog(everything):
    """The engine and the catalog have the same synapse models, with the same parameters,
    defaults (NEST's), common parameters and constraints."""
    theirs = {n: i for n, i in everything.items() if i["kind"] == "synapse"}
    assert set(theirs) == set(catalog.synapse_models())
    for name, info in theirs.items():
        specs = catalog.synapse_models()[name]
        assert set(info["params"]) == set(specs), name
        for param, spec in specs.items():
            if spec.type != "node":  # node references: -1 (none) in the engine
                assert info["defaults"][param] == spec.default, (name, param)
        assert sorted(info["common"]) == sorted(catalog.common_params(name)), name
        ours = sorted(tuple(c) for c in catalog.synapse_constraints(name))
        assert sorted(tuple(c) for c in info["constraints"]) == ours, name


def test_synapse_catalog_is_complete():
    """The issue-10 synapse models, each with NEST's common parameters and state columns."""
    wanted = (
        "static_synapse static_synapse_hom_w bernoulli_synapse tsodyks_synapse tsodyks2_synapse "
        "quantal_stp_synapse stdp_synapse stdp_synapse_hom stdp_nn_symm_synapse "
        "stdp_nn_pre_centered_synapse stdp_nn_restr_synapse stdp_pl_synapse_hom "
        "stdp_triplet_synapse vogels_sprekeler_synapse stdp_dopamine_synapse"
    ).split()
    synapses = catalog.synapse_models()
    assert set(wanted) <= set(synapses)
    for name in wanted:
        assert {"weight", "delay", "weight_recorder"} <= set(synapses[name]), name
        assert synapses[name]["weight_recorder"].node_role == "weight recorder", name
        assert "weight_recorder" in catalog.common_params(name), name
    assert catalog.common_params("static_synapse_hom_w") == ("weight", "weight_recorder")
    assert set(catalog.common_params("stdp_synapse_hom")) == {
        "Wmax", "alpha", "lambda", "mu_minus", "mu_plus", "tau_plus", "weight_recorder"
    }  # fmt: skip
    assert synapses["stdp_dopamine_synapse"]["volume_transmitter"].required
    assert synapses["stdp_synapse"]["Kplus"].state and not synapses["stdp_synapse"]["Kplus"].common
    assert {p for p, s in synapses["tsodyks_synapse"].items() if s.state} == {"u", "x", "y"}
    for name, spec in catalog.models().items():
        if spec.kind == "neuron" and spec.role is None:
            assert {"tau_minus", "tau_minus_triplet"} <= set(spec.params), name
    assert catalog.model("volume_transmitter").kind == "other"


def test_metadata_describes_every_issue_9_model(repo):
    meta = json.loads((repo / "tools" / "catalog" / "model_metadata.json").read_text())
    wanted = (
        "iaf_cond_exp iaf_cond_beta aeif_cond_alpha aeif_cond_exp aeif_psc_alpha aeif_psc_exp "
        "aeif_psc_delta hh_psc_alpha hh_cond_exp_traub izhikevich mat2_psc_exp amat2_psc_exp "
        "gif_psc_exp gif_cond_exp iaf_psc_exp_multisynapse iaf_psc_alpha_multisynapse ht_neuron "
        "iaf_psc_delta_ps iaf_psc_alpha_ps iaf_psc_exp_ps parrot_neuron_ps poisson_generator_ps"
    ).split()
    assert set(wanted) <= set(meta["models"])
    assert "precise_times" in meta["models"]["spike_generator"]["params"]
    assert meta["models"]["iaf_psc_exp_multisynapse"]["receptor_ports"] == "tau_syn"
    assert meta["models"]["ht_neuron"]["receptors"] == {
        "AMPA": 1,
        "NMDA": 2,
        "GABA_A": 3,
        "GABA_B": 4,
    }
    for name, entry in meta["models"].items():
        assert entry["family"] in meta["families"], name
        for pname, p in entry["params"].items():
            assert p["type"] in ("float", "int", "bool", "list[float]", "list[str]"), (name, pname)


def test_generator_output_equals_the_committed_files(repo, tmp_path):
    if importlib.util.find_spec("nest") is None:
        pytest.skip("nest-simulator is not installed: the generator reads nest.GetDefaults")
    script = repo / "tools" / "catalog" / "generate_catalog.py"
    proc = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=repo,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for rel in ("project_files/catalog.json", "assets/catalog_ui.json"):
        assert (tmp_path / rel).read_text() == (repo / rel).read_text(), (
            f"{rel} is not what tools/catalog/generate_catalog.py writes; rerun it"
        )


# ---------------------------------------------------------------- generic constraint checks


def project(*nodes: dict, resolution: float = 0.1) -> dict:
    return {
        "format": "spikedesk-project",
        "version": 1,
        "simulation": {"duration": 10.0, "resolution": resolution},
        "nodes": list(nodes),
        "connections": [],
    }


def neuron(model: str = "iaf_psc_alpha", **params) -> dict:
    return {"id": "N", "model": model, "size": 2, "params": params}


@pytest.mark.parametrize(
    ("node", "path", "message"),
    [
        (neuron(C_m=-1), "nodes[0].params.C_m", "must be > 0, got -1"),
        (neuron(t_ref=-0.5), "nodes[0].params.t_ref", "must be >= 0, got -0.5"),
        (neuron("iaf_cond_alpha", tau_syn_in=0.0), "nodes[0].params.tau_syn_in",
         "must be > 0, got 0.0"),
        (neuron(tau_m=[10.0, -1.0]), "nodes[0].params.tau_m[1]", "must be > 0, got -1.0"),
        (
            neuron(V_reset=-50.0),
            "nodes[0].params.V_reset",
            "V_reset must be < V_th, got V_reset -50.0 >= V_th -55.0",
        ),
        (
            neuron(V_th=-80.0),
            "nodes[0].params.V_th",
            "V_reset must be < V_th, got V_reset -70.0 >= V_th -80.0",
        ),
        (
            {"id": "v", "model": "voltmeter", "params": {"interval": 0.05}},
            "nodes[0].params.interval",
            "must be >= 0.1 (the simulation resolution), got 0.05",
        ),
        (
            {"id": "pg", "model": "poisson_generator", "params": {"start": 5.0, "stop": 1.0}},
            "nodes[0].params.stop",
            "stop must be >= start, got stop 1.0 < start 5.0",
        ),
        (
            neuron(tau_m={"random": "normal", "mean": 10.0, "std": 2.0}),
            "nodes[0].params.tau_m",
            'tau_m must be > 0; give the random value a "low" bound > 0',
        ),
    ],
)  # fmt: skip
def test_constraints_name_node_parameter_and_constraint(node, path, message):
    assert validate(project(node)) == [Problem(path, message)]


def test_a_node_is_checked_as_one_parameter_set():
    """V_reset=0 is fine once V_th=20 is set too: relations use the node's own values."""
    assert validate(project(neuron(V_reset=0.0, V_th=20.0))) == []
    assert validate(project(neuron(V_reset=0.0))) != []


def test_constraints_come_only_from_the_catalog(monkeypatch):
    """A constraint added to a model's catalog entry is enforced with no code change."""
    spec = catalog.model("iaf_psc_alpha")
    patched = dict(catalog.models())
    patched["iaf_psc_alpha"] = copy.copy(spec)
    object.__setattr__(
        patched["iaf_psc_alpha"], "constraints", (*spec.constraints, ("E_L", "<=", "V_th"))
    )
    monkeypatch.setattr(catalog, "models", lambda: patched)
    assert validate(project(neuron(E_L=-50.0))) == [
        Problem("nodes[0].params.E_L", "E_L must be <= V_th, got E_L -50.0 > V_th -55.0")
    ]
