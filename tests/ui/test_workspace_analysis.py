"""The analysis of a run, per population and named by the node labels: rate lines with a
legend, ISI / CV / per-neuron histograms, the sender table, min/max-decimated traces, and a
zoom that redraws the window from every event kept on the server."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import Page, expect
from spikedesk.app import activity
from ui_steps import click_node, open_page, set_field, shot, show_view, simulate, wait_until

pytestmark = pytest.mark.ui

SOURCE = """(name) => {
  for (const m of window.Bokeh.documents[0]._all_models.values())
    if (m.name === name) return m.data;
  return null;
}"""


def data(page: Page, name: str):
    return page.evaluate(SOURCE, name)


def test_per_population_panels_named_by_labels(page: Page, studio, monkeypatch):
    monkeypatch.setattr(activity, "MAX_RASTER_POINTS", 3000)  # so that the raster samples
    open_page(page, studio.url, "spikedesk", projects=False, size=(1366, 768))
    side = studio.last()
    click_node(page, "E")
    set_field(page, "Label", "excitatory")
    set_field(page, "duration (ms)", "1000")
    simulate(page)
    expect(page.get_by_text(re.compile(r"Finished: 1000\.0 ms"))).to_be_visible(timeout=60_000)
    view = side["studio"].activity
    # the rate: one line per population, labelled as the nodes are
    wait_until(page, lambda: (data(page, "rate") or {}).get("label") == ["excitatory", "I"])
    # the histograms, each with both populations
    for name in ("ISI distribution", "CV of ISI", "Spikes per neuron", "Per-neuron rate"):
        wait_until(page, lambda n=name: set((data(page, f"analysis:{n}") or {}).get("label", []))
                   == {"excitatory", "I"}, what=name)  # fmt: skip
    values = data(page, "analysis:Recorded values")
    assert set(values["label"]) == {"V_m of E 0-4: V_m"}
    # the sender table: one row per neuron, with its population's label
    show_view(page, "Activity")
    table = page.locator(".sender-table")
    table.scroll_into_view_if_needed()
    expect(table.locator(".tabulator-row").first).to_contain_text("excitatory")
    assert len(view.analysis.senders.value) == 1000
    shot(page, "workspace-analysis.png")
    # traces are lines of at most two points per pixel bin, every peak kept
    traces = data(page, "traces")
    assert traces["ys"] and all(len(ys) <= 2 * activity.TRACE_PIXELS for ys in traces["ys"])
    # the raster shows a sample and says so; zooming redraws the window from every spike
    expect(page.locator(".raster-plot").first).to_be_visible()
    assert "a sample" in view.raster_plot.title.text
    assert view.raster_plot._event_callbacks.get("rangesupdate")  # zooms reach the server
    view._zoomed(type("Zoom", (), {"x0": 200.0, "x1": 230.0})())
    senders, times = view._spikes
    in_window = int(np.sum((times >= 200.0) & (times < 230.0)))
    assert in_window < 3000
    wait_until(page, lambda: len(data(page, "raster")["x"]) == in_window, what="the redraw")
    assert view.raster_plot.title.text == "Spike raster"


def test_a_second_run_replaces_the_previous_runs_table_and_analysis(page: Page, studio):
    """During a run the last run's table and analysis stay, marked; when it ends, the new
    run's (here with one population fewer recorded) replace them."""
    open_page(page, studio.url, "spikedesk", projects=False, size=(1366, 768))
    side = studio.last()
    session = side["session"]
    set_field(page, "duration (ms)", "300")
    simulate(page)
    expect(page.get_by_text(re.compile(r"Finished: 300\.0 ms"))).to_be_visible(timeout=60_000)
    rows = page.locator(".stats-table .tabulator-row")
    expect(rows).to_have_count(2)
    expect(page.get_by_text("The last run's analysis.")).to_be_visible()
    # I's spike recorder deleted: the next run records E only
    recorder = next(c.target for c in session.project.connections if c.source == "I"
                    and c.target.startswith("spikes"))  # fmt: skip
    click_node(page, recorder)
    page.keyboard.press("Delete")
    wait_until(page, lambda: all(n.id != recorder for n in session.project.nodes))
    set_field(page, "duration (ms)", "20000")
    simulate(page)
    expect(page.get_by_text("The previous run's analysis", exact=False)).to_be_visible()
    expect(rows).to_have_count(2)  # still the last run's, while this one goes
    expect(page.get_by_text(re.compile(r"Finished: 20000\.0 ms"))).to_be_visible(timeout=90_000)
    expect(rows).to_have_count(1)
    e_label = session.project.node("E").label  # another test of this module may rename E
    expect(rows.first).to_contain_text(e_label)
    expect(page.get_by_text("The last run's analysis.")).to_be_visible()
    senders = page.locator(".sender-table .tabulator-row").first
    expect(senders).to_contain_text(e_label)
    shown = side["studio"].activity.analysis.senders.value
    assert set(shown["population"]) == {e_label}  # I's rows of the previous run are gone
