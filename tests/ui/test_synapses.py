"""Plastic synapses the way a person sets them up: a pairing network imported with static
synapses, stdp_synapse picked on a connection in the inspector, its parameters typed (a bad
one refused beside its field), a weight recorder dragged in from the palette and chosen for
the connection, Simulate, then the Weights tab: recorded weights per synapse and the weight
distribution before and after the run, compared with the engine's own numbers."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect
from spikedesk.app import edits, weights_view
from spikedesk.engine import _core, merge
from spikedesk.engine.backends import EmbeddedBackend
from spikedesk.project_files import examples_dir, io
from spikedesk.project_files.validation import validate
from ui_steps import (
    click_edge,
    drag_model,
    node,
    open_page,
    set_field,
    shot,
    show_view,
    simulate,
    source_length,
    wait_for_points,
    wait_until,
)

pytestmark = pytest.mark.ui

COLUMN = """([name, column]) => {
  const doc = window.Bokeh.documents[0];
  for (const m of doc._all_models.values())
    if (m.name === name) return Array.from(m.data[column]);
  return null;
}"""


def static_pairing(tmp_path: Path, name: str) -> Path:
    """The STDP pairing example with static synapses on its two plastic connections."""
    project = io.load(examples_dir() / "stdp_pairing.json")
    for cid in ("ltp", "ltd"):
        project = edits.set_synapse(project, cid, model="static_synapse")
        project = edits.set_synapse_params(project, cid, {"weight_recorder": None})
    project = edits.delete(project, "node", "wr")  # the example's weight recorder
    path = tmp_path / f"{name}.json"
    path.write_text(io.dumps(replace(project, name=name)))
    return path


def import_file(page: Page, studio, path: Path):
    open_page(page, studio.url, "Projects")
    page.locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_text(re.compile(rf"Imported {path.name} as"))).to_be_visible(timeout=30_000)
    expect(node(page, "pre")).to_be_visible(timeout=30_000)
    return studio.last()["session"]


def pick(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).select_option(label=option)
    page.wait_for_timeout(400)


def finished(page: Page, duration: float) -> None:
    pattern = re.compile(rf"Finished: {duration:.1f} ms simulated")
    expect(page.get_by_text(pattern)).to_be_visible(timeout=120_000)


def engine_tables(project):
    tables = weights_view.TableRecorder(project)
    chunks = list(tables.run(EmbeddedBackend(), project, chunk=100.0, cancel=None))
    return tables, merge([c.events for c in chunks])


def needs(*models: str) -> None:
    missing = [m for m in models if m not in _core.models()]
    if missing:
        pytest.skip(f"engine has no {', '.join(missing)}")


def test_stdp_on_a_connection_and_its_weight_distribution(page: Page, studio, tmp_path):
    needs("stdp_synapse", "parrot_neuron")
    session = import_file(page, studio, static_pairing(tmp_path, "pairing"))
    click_edge(page, "pre", "post_late")
    expect(page.get_by_label("Synapse model", exact=True)).to_be_visible()
    pick(page, "Synapse model", "stdp_synapse")
    # the model's parameters appear, labelled with NEST's names, defaults as placeholders
    lam = page.get_by_label("Learning rate · lambda", exact=True)
    expect(lam).to_be_visible()
    expect(lam).to_have_attribute("placeholder", "0.01 (default)")
    expect(page.get_by_text("STDP, all-to-all spike pairing").first).to_be_visible()
    set_field(page, "Learning rate · lambda", "0.02")
    set_field(page, "tau_plus (ms)", "15")
    # a refused value stays in its field with the reason; the project keeps the default
    set_field(page, "Kplus [initial]", "-1")
    expect(page.get_by_text("must be >= 0, got -1")).to_be_visible()
    conn = edits.connection(session.project, "ltp")
    assert conn.synapse.model == "stdp_synapse"
    assert dict(conn.synapse.params) == {"lambda": 0.02, "tau_plus": 15.0}
    expect(page.get_by_label("Kplus [initial]", exact=True)).to_have_value("-1")
    set_field(page, "Kplus [initial]", "0")
    wait_until(
        page,
        lambda: edits.connection(session.project, "ltp").synapse.params.get("Kplus") == 0.0,
        what="Kplus accepted with the next value",
    )
    shot(page, "synapses-inspector.png")

    simulate(page)
    finished(page, session.project.simulation.duration)
    show_view(page, "Weights")  # a view of the header
    wait_for_points(page, "weight_hist")
    about = page.locator(".weights-distribution")
    expect(about).to_contain_text("ltp (pre → post_late, stdp_synapse): 20 synapses")
    tables, _ = engine_tables(session.project)
    before, after = tables.before["ltp"]["weights"], tables.after["ltp"]["weights"]
    assert after.mean() > before.mean() + 5  # post after pre: potentiation
    expect(about).to_contain_text(f"mean {before.mean():.4g} → {after.mean():.4g}")
    counts = page.evaluate(COLUMN, ["weight_hist", "after"])
    assert sum(counts) == 20
    assert counts == list(weights_view.distribution(before, after)["after"])
    page.locator(".weights-distribution").scroll_into_view_if_needed()
    shot(page, "synapses-distribution.png")


def test_a_weight_recorder_from_the_palette_and_the_weight_plot(page: Page, studio, tmp_path):
    needs("stdp_synapse", "parrot_neuron", "weight_recorder")
    probe = io.load(examples_dir() / "stdp_pairing.json")
    probe, wr = edits.add_node(probe, "weight_recorder", 0, 0)
    if validate(edits.set_synapse_params(probe, "ltp", {"weight_recorder": wr})):
        pytest.skip("project format 2 (synapse.params naming a weight_recorder) is not on main")
    session = import_file(page, studio, static_pairing(tmp_path, "recorded"))
    stage = page.locator(".stage").bounding_box()  # its free lower right corner
    drag_model(page, "weight_recorder", stage["width"] - 90, stage["height"] - 70)
    expect(node(page, "wr1")).to_be_visible()
    expect(page.locator(".synapse-users")).to_contain_text("No connection records into it yet")
    click_edge(page, "pre", "post_late")
    pick(page, "Synapse model", "stdp_synapse")
    set_field(page, "Maximum weight · Wmax", "30")
    pick(page, "Weight recorder · weight_recorder [common]", "wr1")
    conn = edits.connection(session.project, "ltp")
    assert dict(conn.synapse.params) == {"Wmax": 30.0, "weight_recorder": "wr1"}
    # the canvas labels the connection with its model and recorder
    expect(page.locator("path.edge[data-source='pre'][data-target='post_late']")).to_have_count(1)
    simulate(page)
    finished(page, session.project.simulation.duration)
    show_view(page, "Weights")  # a view of the header
    wait_for_points(page, "weights")
    info = page.locator(".weights-info")
    expect(info).to_contain_text("20 synapses recorded (an even sample of 10)")
    assert source_length(page, "weights") == 10
    names = page.evaluate(COLUMN, ["weights", "synapse"])
    assert names[0] == "pre[0] → post_late[0]" and names[-1] == "pre[19] → post_late[0]"
    rows = page.locator(".weights-table .tabulator-row")
    expect(rows).to_have_count(10, timeout=20_000)  # drawn once the view is shown
    expect(rows.first).to_contain_text("pre[0] → post_late[0]")
    tables, events = engine_tables(session.project)
    recorded = events["wr1"]
    first = recorded["weights"][(recorded["senders"] == recorded["senders"].min())]
    expect(rows.first).to_contain_text(f"{round(float(first[-1]), 6):g}"[:6])
    assert np.isclose(first[-1], tables.after["ltp"]["weights"][0])
    page.locator(".weights-info").scroll_into_view_if_needed()
    shot(page, "synapses-weight-plot.png")
    # the recorder's inspector names what it records
    show_view(page, "Editor + activity")
    node(page, "wr1").locator(".shape").click()
    expect(page.locator(".synapse-users")).to_contain_text("ltp: pre → post_late (stdp_synapse)")
    shot(page, "synapses-weights.png")
