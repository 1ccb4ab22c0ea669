"""The studio as a person uses it: examples, settings, failures, import/export, undo/redo,
and two sessions at once."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect
from spikedesk.app.activity import population_stats
from spikedesk.engine import simulate as engine_simulate
from spikedesk.project_files import examples_dir, io
from ui_steps import (
    click_node,
    drag_model,
    field,
    node,
    open_page,
    set_field,
    shot,
    simulate,
    wait_for_points,
    wait_until,
)

pytestmark = pytest.mark.ui
EXAMPLES = sorted(p.stem for p in examples_dir().glob("*.json"))
ND_FIXTURES = Path(__file__).resolve().parents[1] / "data" / "nest_desktop"


def open_example(page: Page, studio, name: str) -> dict:
    """Open a fresh copy of an example through the project manager; its Python side."""
    open_page(page, studio.url, "Projects")
    page.get_by_label("Open an example").select_option(name)
    page.wait_for_timeout(500)  # the choice reaches the server before the click
    page.get_by_role("button", name="Open", exact=True).click()
    expect(page.get_by_text(re.compile(f"Opened the example as {name}"))).to_be_visible(
        timeout=20_000
    )
    return studio.last()


def finished(page: Page, duration: str, timeout: float = 120_000) -> None:
    pattern = re.compile(rf"Finished: {re.escape(duration)} ms simulated")
    expect(page.get_by_text(pattern)).to_be_visible(timeout=timeout)


RATE_BINS = """() => { for (const m of window.Bokeh.documents[0]._all_models.values())
  if (m.name === "rate") return m.get_length() > 0 ? m.data.xs[0].length : 0; }"""


def table_rates(page: Page) -> dict[str, float]:
    """Rate per population (by its label, which may hold spaces: one cell per column)."""
    out = {}
    for row in page.locator(".stats-table .tabulator-row").all():
        name = row.locator(".tabulator-cell[tabulator-field='population']").inner_text()
        rate = row.locator(".tabulator-cell[tabulator-field='rate (spikes/s)']").inner_text()
        out[name.strip()] = float(rate)
    return out


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_example_simulates_and_shows_the_engines_numbers(page: Page, studio, example):
    side = open_example(page, studio, example)
    project = side["session"].project
    external = []
    page.on(
        "request",
        lambda r: (
            external.append(r.url)
            if "127.0.0.1" not in r.url and not r.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    simulate(page)
    duration = f"{project.simulation.duration:.1f}"
    finished(page, duration)
    result = engine_simulate(project)
    models = {n.id: n.model for n in project.nodes}
    if "spike_recorder" in models.values():
        expected = population_stats(
            result.events, project, result.node_ids, project.simulation.duration
        )
        rows = page.locator(".stats-table .tabulator-row")  # drawn just after the status
        page.locator(".stats-table").scroll_into_view_if_needed()  # as a person looks at it
        expect(rows).to_have_count(len(expected["population"]))
        expect(rows.first).to_contain_text(expected["population"][0])
        got = table_rates(page)
        for pop, rate in zip(expected["population"], expected["rate (spikes/s)"], strict=True):
            assert got[pop] == pytest.approx(rate, abs=0.01), pop
        spikes = sum(
            len(f["times"]) for r, f in result.events.items() if models[r] == "spike_recorder"
        )
        if spikes:
            wait_for_points(page, "raster", timeout=10_000)  # may land just after the status
    if any(m in ("voltmeter", "multimeter") for m in models.values()):
        wait_for_points(page, "traces", timeout=10_000)
    if example == "brunel":
        shot(page, "studio-brunel.png")
    assert external == [], f"requests outside the machine: {external[:5]}"


def test_bad_settings_are_refused_and_a_failed_run_keeps_the_project(page: Page, studio):
    side = open_example(page, studio, "brunel")
    session = side["session"]
    set_field(page, "resolution (ms)", "2")  # the 1.5 ms delays are shorter than a 2 ms step
    expect(page.get_by_text(re.compile(r"resolution = 2(\.0)? refused"))).to_be_visible()
    assert session.project.simulation.resolution == 0.1
    set_field(page, "duration (ms)", "200")
    simulate(page)  # runs with the last valid resolution
    finished(page, "200.0")
    # a network too big for this machine fails in the engine, before any work
    click_node(page, "E")
    set_field(page, "Size (neurons)", "200000000")
    wait_until(page, lambda: session.project.node("E").size == 200000000, what="the new size")
    before = session.project
    simulate(page)
    expect(
        page.get_by_text(re.compile(r"Simulation failed: .*needs about [\d.]+ GiB"))
    ).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Failed; the project is unchanged.")).to_be_visible()
    assert session.project == before
    assert session.store.load(session.project_name) == before


def test_import_upload_and_downloads(page: Page, studio, tmp_path):
    open_page(page, studio.url, "Projects")
    fixture = sorted(ND_FIXTURES.rglob("*.json"))[0]
    page.locator("input[type=file]").set_input_files(str(fixture))
    expect(page.get_by_text(re.compile(rf"Imported {re.escape(fixture.name)} as"))).to_be_visible(
        timeout=30_000
    )
    session = studio.last()["session"]
    assert session.project.nodes
    expect(node(page, session.project.nodes[0].id)).to_be_visible()
    # a broken file is refused with the reason, and nothing is lost
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "spikedesk-project", "version": 1, "nodes": [{"id": 3}]}')
    names = studio.store.names()
    page.locator("input[type=file]").set_input_files(str(bad))
    expect(page.get_by_text(re.compile("Cannot import broken.json"))).to_be_visible()
    assert studio.store.names() == names
    # download the project JSON and the PyNEST script
    with page.expect_download() as download:
        page.get_by_text("Download project JSON").click()
    assert io.loads(Path(download.value.path()).read_text()) == io.loads(io.dumps(session.project))
    page.get_by_text("PyNEST code", exact=True).click()
    expect(page.get_by_text("import nest").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_text("Download PyNEST script").click()
    script = Path(download.value.path()).read_text()
    assert "nest.Simulate(" in script and "import nest" in script


def test_delete_undo_redo_with_the_keyboard(page: Page, studio):
    side = open_example(page, studio, "single_neuron_dc")
    session = side["session"]
    start = session.project
    click_node(page, "dc")
    page.keyboard.press("Delete")
    expect(node(page, "dc")).to_have_count(0)
    assert [n.id for n in session.project.nodes] == ["neuron", "vm", "spikes"]
    assert all("dc" not in (c.source, c.target) for c in session.project.connections)
    page.keyboard.press("Control+z")
    expect(node(page, "dc")).to_be_visible()
    assert session.project == start
    page.keyboard.press("Control+y")
    expect(node(page, "dc")).to_have_count(0)
    page.get_by_role("button", name="Undo").click()
    expect(node(page, "dc")).to_be_visible()
    assert session.project == start


def test_two_sessions_simulate_at_once(browser, studio):
    pages = [browser.new_context().new_page() for _ in range(2)]
    for p in pages:
        open_example(p, studio, "brunel")
        set_field(p, "duration (ms)", "2000")
    for p in pages:
        simulate(p)
    for p in pages:
        wait_for_points(p, "raster")
    for p in pages:
        finished(p, "2000.0")
        wait_for_points(p, "raster", 10_000, timeout=10_000)  # redrawn in full after the run
    for p in pages:
        p.context.close()


def test_population_stats_match_numpy():
    """The table's CV of ISI is the mean over neurons of std/mean of their intervals."""
    project = io.load(examples_dir() / "brunel.json")
    result = engine_simulate(project, duration=300.0)
    stats = population_stats(result.events, project, result.node_ids, 300.0)
    senders, times = result.events["spikes_E"]["senders"], result.events["spikes_E"]["times"]
    cvs = []
    for gid in np.unique(senders):
        isi = np.diff(np.sort(times[senders == gid]))
        if len(isi) > 1:
            cvs.append(isi.std() / isi.mean())
    assert stats["CV ISI"][0] == pytest.approx(np.mean(cvs), abs=1e-3)
    assert stats["spikes"][0] == len(senders)


def test_multimeter_variables_can_be_shown(page: Page, studio):
    side = open_example(page, studio, "spike_generator_psp")
    simulate(page)
    finished(page, "150.0")
    studio_side = side["studio"]
    assert studio_side.activity.param.trace_variable.objects == ["V_m", "I_syn_ex", "I_syn_in"]
    wait_for_points(page, "traces", timeout=10_000)
    page.get_by_label("trace variable").select_option("I_syn_ex")
    page.wait_for_function(
        """() => { const doc = window.Bokeh.documents[0];
        for (const m of doc._all_models.values())
          if (m.type === "LinearAxis" && m.axis_label === "I_syn_ex") return true;
        return false; }""",
        timeout=10_000,
    )
    # the +500 pA alpha current onto exc peaks far above any membrane potential
    page.wait_for_function(
        """() => { for (const m of window.Bokeh.documents[0]._all_models.values())
          if (m.name === "traces") return m.get_length() > 0
            && Math.max(...m.data.ys.flatMap((ys) => Array.from(ys))) > 100; }""",
        timeout=10_000,
    )


def test_a_parameter_slider_sets_the_value(page: Page, studio):
    side = open_example(page, studio, "single_neuron_dc")
    session = side["session"]
    before = session.project.node("dc").params["amplitude"]
    click_node(page, "dc")
    expect(field(page, "Amplitude (pA)")).to_be_visible()
    handle = page.get_by_role("slider").first
    handle.focus()
    for _ in range(3):
        handle.press("ArrowRight")
    page.wait_for_timeout(800)  # let the keyboard "release" reach the server
    after = session.project.node("dc").params["amplitude"]
    assert after > before
    expect(field(page, "Amplitude (pA)")).to_have_value(re.compile(rf"^{after:g}"))


def test_the_project_description_is_edited_with_nothing_selected(page: Page, studio):
    side = open_example(page, studio, "single_neuron_dc")
    session = side["session"]
    expect(
        page.get_by_text(re.compile(r"This project: 4 nodes \(1 neuron\), 3 connections"))
    ).to_be_visible()
    set_field(page, "Description", "A lecture demo: one neuron, one current.")
    assert session.project.description == "A lecture demo: one neuron, one current."
    assert session.store.load(session.project_name).description == session.project.description


def test_editing_during_a_run_does_not_disturb_it(page: Page, studio):
    side = open_example(page, studio, "brunel")
    set_field(page, "duration (ms)", "600000")
    simulate(page)
    wait_for_points(page, "raster")
    drag_model(page, "iaf_psc_alpha", 450, 300)  # a new population while the run goes on
    expect(node(page, "P1")).to_be_visible(timeout=15_000)
    assert side["studio"].running
    bins = page.evaluate(RATE_BINS)
    page.wait_for_function(  # more plot updates arrive after the edit
        f"({RATE_BINS})() > {bins}", timeout=30_000
    )
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text(re.compile(r"Cancelled: [\d.]+ ms simulated"))).to_be_visible(
        timeout=20_000
    )
    assert not side["studio"].alert.visible
    rows = page.locator(".stats-table .tabulator-row")
    expect(rows).to_have_count(2, timeout=20_000)
    assert [r.split()[0] for r in rows.all_inner_texts()] == ["E", "I"]


def test_results_and_plots_download(page: Page, studio):
    side = open_example(page, studio, "single_neuron_dc")
    simulate(page)
    finished(page, "200.0")
    project = side["session"].project
    expected = engine_simulate(project).events
    with page.expect_download() as download:
        page.get_by_text("Download results (NPZ)").click()
    with np.load(download.value.path()) as npz:
        assert set(npz.files) == {f"{r}/{f}" for r, fields in expected.items() for f in fields}
        np.testing.assert_array_equal(npz["spikes/times"], expected["spikes"]["times"])
        np.testing.assert_array_equal(npz["vm/V_m"], expected["vm"]["V_m"])
    with page.expect_download() as download:
        page.get_by_text("Download spikes (CSV)").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "recorder,sender,time_ms"
    assert len(lines) - 1 == len(expected["spikes"]["times"])
    # every plot has Bokeh's save tool, which downloads it as PNG
    with page.expect_download() as download:
        page.locator(".raster-plot").first.get_by_title("Save as PNG", exact=True).click()
    assert download.value.suggested_filename == "spike-raster.png"
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_palette_search_and_families(page: Page, studio):
    """With about 40 models, a person types part of a name to find one, drags it in, and folds
    away the families they do not need."""
    side = open_example(page, studio, "single_neuron_dc")
    session = side["session"]
    items = page.locator(".palette-item")
    everything = items.count()
    click_node(page, "spikes")
    wait_until(page, lambda: session.selection.get("id") == "spikes", what="the selection")
    search = page.get_by_label("Search models")
    search.fill("aeif cond")
    visible = page.locator(".palette-item:visible")
    expect(visible).to_have_count(2)  # aeif_cond_alpha, aeif_cond_exp
    assert sorted(visible.evaluate_all("els => els.map(e => e.dataset.model)")) == [
        "aeif_cond_alpha",
        "aeif_cond_exp",
    ]
    page.keyboard.press("Backspace")  # typing in the search box never deletes the selection
    page.wait_for_timeout(300)
    assert len(session.project.nodes) == 4
    search.fill("aeif cond")
    drag_model(page, "aeif_cond_alpha", 450, 300)
    wait_until(page, lambda: any(n.model == "aeif_cond_alpha" for n in session.project.nodes))
    search.fill("")
    expect(page.locator(".palette-item:visible")).to_have_count(everything)
    stimulators = page.locator(".palette-group[data-family='Stimulators']")
    stimulators.locator(".palette-title").click()
    expect(stimulators.locator(".palette-item").first).to_be_hidden()
    search.fill("poisson")  # a search opens folded families
    expect(stimulators.locator(".palette-item[data-model='poisson_generator']")).to_be_visible()
    search.fill("")
    expect(stimulators.locator(".palette-item").first).to_be_hidden()
    stimulators.locator(".palette-title").click()
    expect(stimulators.locator(".palette-item").first).to_be_visible()
