"""The synapse part of the app without a browser: synapse edits, the inspector's synapse menu
and labels, and the weights view's data (recorded weight lines, before/after histograms, the
synapse tables taken around a streamed run)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from spikedesk.app import edits, synapse_fields, weights_view
from spikedesk.app.session import ProjectSession, Refused
from spikedesk.app.store import ProjectStore
from spikedesk.engine import _core, merge, stream
from spikedesk.engine.backends import EmbeddedBackend
from spikedesk.project_files import catalog
from spikedesk.project_files.project import Simulation
from spikedesk.project_files.validation import validate


@pytest.fixture
def session(tmp_path) -> ProjectSession:
    store = ProjectStore(tmp_path / "projects")
    return ProjectSession(store, store.create(edits.empty_project(), "net"))


def pairing_project(with_recorder: bool = False):
    """pre (parrot, driven by spike times) -> post (iaf_psc_alpha driven 5 ms later, so it
    fires after pre): stdp_synapse potentiates."""
    p = edits.empty_project()
    p, gen_pre = edits.add_node(p, "spike_generator", 0, 0)
    p, gen_post = edits.add_node(p, "spike_generator", 0, 100)
    p, pre = edits.add_node(p, "parrot_neuron", 100, 0)
    p, post = edits.add_node(p, "iaf_psc_alpha", 200, 0)
    p = edits.set_node(p, pre, size=2)
    p = edits.set_node(p, post, size=2)
    times = [10.0 + 50.0 * k for k in range(8)]
    p = edits.set_node_param(p, gen_pre, "spike_times", tuple(times))
    p = edits.set_node_param(p, gen_post, "spike_times", tuple(t + 5.0 for t in times))
    p, _ = edits.connect(p, gen_pre, pre)
    p, drive = edits.connect(p, gen_post, post)
    p = edits.set_synapse(p, drive, weight=3000.0)
    p, plastic = edits.connect(p, pre, post)
    p = edits.set_synapse(p, plastic, model="stdp_synapse", weight=10.0)
    p = edits.set_synapse_params(p, plastic, {"Wmax": 50.0, "lambda": 0.1})
    if with_recorder:
        p, wr = edits.add_node(p, "weight_recorder", 300, 0)
        p = edits.set_synapse_params(p, plastic, {"weight_recorder": wr})
    return replace(p, simulation=Simulation(duration=420.0)), plastic


def needs_engine(*models: str) -> None:
    missing = [m for m in models if m not in _core.models()]
    if missing:
        pytest.skip(f"engine has no {', '.join(missing)}")


def needs_node_references() -> None:
    project, _ = pairing_project(with_recorder=True)
    if validate(project):
        pytest.skip(
            "project format 2 (synapse.params naming a weight_recorder node) is not on this "
            "branch yet"
        )


# ---------------------------------------------------------------------- edits
def test_a_new_synapse_model_keeps_the_parameters_it_also_has():
    p, cid = pairing_project()
    p = edits.set_synapse_params(p, cid, {"tau_plus": 15.0})
    kept = edits.set_synapse(p, cid, model="stdp_synapse_hom")
    assert dict(edits.connection(kept, cid).synapse.params) == {
        "Wmax": 50.0,
        "lambda": 0.1,
        "tau_plus": 15.0,
    }
    static = edits.set_synapse(p, cid, model="static_synapse")
    assert dict(edits.connection(static, cid).synapse.params) == {}
    assert edits.connection(static, cid).synapse.weight == 10.0


def test_synapse_params_are_one_edit_and_none_means_default():
    p, cid = pairing_project()
    p = edits.set_synapse_params(p, cid, {"Wmax": None, "alpha": 0.5})
    assert dict(edits.connection(p, cid).synapse.params) == {"lambda": 0.1, "alpha": 0.5}


def test_a_refused_synapse_value_leaves_the_project_as_it_was(session):
    p, cid = pairing_project()
    session.apply(p)
    with pytest.raises(Refused, match="Kplus"):
        session.apply(edits.set_synapse_params(session.project, cid, {"Kplus": -1.0}))
    assert session.project == p


# ---------------------------------------------------------------------- inspector
def test_the_synapse_menu_groups_nest_names_by_kind_of_plasticity():
    groups = synapse_fields.synapse_choices(edits.empty_project())
    listed = {v for members in groups.values() for v in members.values()}
    assert listed == set(catalog.synapse_models())
    assert "static_synapse" in groups["Static"].values()
    assert "tsodyks_synapse" in groups["Short-term plasticity"].values()
    assert "stdp_synapse" in groups["Spike-timing-dependent plasticity (STDP)"].values()
    assert list(groups)[0] == "Static"


def test_parameter_titles_show_label_nest_name_and_marks():
    specs = catalog.synapse_models()
    title = synapse_fields.param_title
    assert title("stdp_synapse", "lambda", specs["stdp_synapse"]["lambda"]) == (
        "Learning rate · lambda"
    )
    assert title("stdp_synapse", "Wmax", specs["stdp_synapse"]["Wmax"]) == ("Maximum weight · Wmax")
    assert title("stdp_synapse", "Kplus", specs["stdp_synapse"]["Kplus"]).endswith("[initial]")
    hom = specs["stdp_synapse_hom"]
    assert title("stdp_synapse_hom", "tau_plus", hom["tau_plus"]).endswith("[common]")
    wr = title("stdp_synapse", "weight_recorder", specs["stdp_synapse"]["weight_recorder"])
    assert wr == "Weight recorder · weight_recorder [common]"


def test_plastic_models_come_from_nest_documentation():
    p = edits.empty_project()
    assert synapse_fields.is_plastic(p, "stdp_synapse")
    assert synapse_fields.is_plastic(p, "tsodyks2_synapse")
    assert not synapse_fields.is_plastic(p, "static_synapse")
    assert not synapse_fields.is_plastic(p, "bernoulli_synapse")


def test_the_inspector_edits_synapse_params_and_keeps_refused_values(session):
    from spikedesk.app.inspector import Inspector

    p, cid = pairing_project()
    session.apply(p)
    inspector = Inspector(session)
    session.selection = {"kind": "edge", "id": cid}
    fields = inspector.fields
    assert {
        "synapse.params.tau_plus",
        "synapse.params.Wmax",
        "synapse.params.weight_recorder",
    } <= set(fields)
    tau = fields["synapse.params.tau_plus"]
    assert tau.number.placeholder == "20 (default)" and tau.number.value == ""  # a text box
    assert fields["synapse.params.Wmax"].number.value == "50"
    tau.number.value = "12.5"
    assert edits.connection(session.project, cid).synapse.params["tau_plus"] == 12.5
    kplus = fields["synapse.params.Kplus"]
    kplus.number.value = "-1"
    assert kplus.error.visible and ">= 0" in kplus.error.object
    assert "Kplus" not in edits.connection(session.project, cid).synapse.params
    assert kplus.number.value == "-1"  # the editor keeps what was typed
    tau.number.value = ""  # cleared: the default, tried together with the refused Kplus
    assert "Kplus" in tau.error.object
    assert edits.connection(session.project, cid).synapse.params["tau_plus"] == 12.5
    kplus.number.value = "0,5"  # a decimal comma; both taken
    assert not kplus.error.visible
    params = edits.connection(session.project, cid).synapse.params
    assert params["Kplus"] == 0.5 and "tau_plus" not in params
    fields["synapse.model"].widget.value = "static_synapse"
    assert edits.connection(session.project, cid).synapse.model == "static_synapse"
    assert "synapse.params.tau_plus" not in inspector.fields  # rebuilt for the new model


def test_the_weight_recorder_menu_lists_the_projects_weight_recorders(session):
    needs_node_references()
    from spikedesk.app.inspector import Inspector

    p, cid = pairing_project()
    p, wr = edits.add_node(p, "weight_recorder", 300, 0)
    session.apply(p)
    inspector = Inspector(session)
    session.selection = {"kind": "edge", "id": cid}
    menu = inspector.fields["synapse.params.weight_recorder"].widget
    assert list(menu.options.values()) == ["", wr]
    menu.value = wr
    assert edits.connection(session.project, cid).synapse.params["weight_recorder"] == wr
    session.selection = {"kind": "node", "id": wr}
    notes = [o for o in inspector.body.objects if "synapse-users" in o.css_classes]
    assert notes and f"{cid}: P1 → P2 (stdp_synapse)" in notes[0].object


# ---------------------------------------------------------------------- weights view
def test_weight_lines_are_steps_per_synapse_and_a_sample_when_many():
    node_ids = {"pre": (1, 3), "post": (4, 3)}
    senders = np.array([1, 1, 2, 1, 2, 3])
    targets = np.array([4, 4, 5, 4, 5, 6])
    times = np.array([1.0, 2.0, 2.0, 3.0, 4.0, 5.0])
    weights = np.array([1.0, 1.5, 2.0, 1.7, 2.5, 3.0])
    fields = {"senders": senders, "targets": targets, "times": times, "weights": weights}
    lines, table, total = weights_view.weight_lines({"wr": fields}, node_ids, 10.0)
    assert total == 3
    assert lines["synapse"] == ["pre[0] → post[0]", "pre[1] → post[1]", "pre[2] → post[2]"]
    assert list(lines["xs"][0]) == [1.0, 2.0, 2.0, 3.0, 3.0, 10.0]
    assert list(lines["ys"][0]) == [1.0, 1.0, 1.5, 1.5, 1.7, 1.7]
    assert list(table["last recorded"]) == [1.7, 2.5, 3.0]
    lines, _, total = weights_view.weight_lines({"wr": fields}, node_ids, 10.0, max_lines=2)
    assert total == 3 and lines["synapse"] == ["pre[0] → post[0]", "pre[2] → post[2]"]


def test_distribution_bins_both_samples_alike():
    bars = weights_view.distribution(np.full(10, 5.0), np.linspace(5.0, 7.0, 10), bins=4)
    assert sum(bars["before"]) == sum(bars["after"]) == 10
    assert bars["left"][0] == 5.0 and bars["right"][-1] == 7.0
    single = weights_view.distribution(np.full(3, 2.0), np.full(3, 2.0))
    assert single["left"][0] < 2.0 < single["right"][-1]


def test_tables_around_a_streamed_run_leave_its_events_unchanged():
    needs_engine("stdp_synapse", "parrot_neuron")
    project, cid = pairing_project()
    project, sr = edits.add_node(project, "spike_recorder", 300, 100)
    project, _ = edits.connect(project, "P2", sr)
    tables = weights_view.TableRecorder(project)
    assert tables.ids == [cid]
    chunks = list(tables.run(EmbeddedBackend(), project, chunk=50.0, cancel=None))
    plain = list(stream(project, chunk=50.0))
    assert [c.time for c in chunks] == [c.time for c in plain]
    ours, theirs = merge([c.events for c in chunks]), merge([c.events for c in plain])
    assert np.array_equal(ours[sr]["times"], theirs[sr]["times"]) and len(ours[sr]["times"])
    before, after = tables.before[cid]["weights"], tables.after[cid]["weights"]
    assert len(before) == 4 and np.all(before == 10.0)
    assert np.all(after > before)  # pre before post: potentiation
    summary = weights_view.summarize(project, ours, chunks[-1].node_ids, 420.0, tables)
    assert summary.histograms[cid]["after"].sum() == 4
    assert "4 synapses; mean 10 →" in summary.about[cid]


def test_recorded_weights_reach_the_summary():
    needs_engine("stdp_synapse", "parrot_neuron", "weight_recorder")
    needs_node_references()
    project, cid = pairing_project(with_recorder=True)
    tables = weights_view.TableRecorder(project)
    chunks = list(tables.run(EmbeddedBackend(), project, chunk=100.0, cancel=None))
    events = merge([c.events for c in chunks])
    summary = weights_view.summarize(project, events, chunks[-1].node_ids, 420.0, tables)
    assert summary.recorded == 4
    assert summary.lines["synapse"][0] == "P1[0] → P2[0]"
    last = summary.table["last recorded"].to_numpy()
    assert np.allclose(np.sort(last), np.sort(tables.after[cid]["weights"]))


def test_no_tables_for_static_or_device_connections():
    project, cid = pairing_project()
    static = edits.set_synapse(project, cid, model="static_synapse")
    assert weights_view.tabulated(static) == []
    assert weights_view.tabulated(project) == [cid]


def test_the_stdp_pairing_example_potentiates_and_depresses():
    """What the example teaches: post after pre strengthens, post before pre weakens."""
    needs_engine("stdp_synapse", "parrot_neuron")
    from spikedesk.project_files import examples_dir, io

    project = io.load(examples_dir() / "stdp_pairing.json")
    tables = weights_view.TableRecorder(project)
    assert tables.ids == ["ltp", "ltd"]
    list(tables.run(EmbeddedBackend(), project, chunk=1000.0, cancel=None))
    ltp0, ltp1 = tables.before["ltp"]["weights"], tables.after["ltp"]["weights"]
    ltd0, ltd1 = tables.before["ltd"]["weights"], tables.after["ltd"]["weights"]
    assert len(ltp0) == len(ltd0) == 20
    assert 5.0 <= ltp0.min() and ltp0.max() <= 15.0
    assert np.all(ltp1 > ltp0 + 5.0) and np.all(ltd1 < ltd0)
    assert 0.8 < ltd1.mean() / ltd0.mean() < 0.9  # "by about 15 %"
