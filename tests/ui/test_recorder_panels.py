"""The activity view of the recorders: a correlation detector's histogram panel, and the
current I that a multimeter records from a generator, drawn as a trace. Each project is
imported as a file through the project manager, simulated with the Simulate button."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect
from spikedesk.engine import simulate as engine_simulate
from spikedesk.project_files import io
from ui_steps import open_page, simulate, source_length, wait_for_points, wait_until

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "validation"))
from validation_projects import build_project, load_manifest  # noqa: E402

pytestmark = pytest.mark.ui
CASES = load_manifest("recorder_traces.json")["cases"]

BARS = """(name) => {
  const doc = window.Bokeh.documents[0];
  for (const m of doc._all_models.values())
    if (m.name === name) return Array.from(m.data.top);
  return null;
}"""


LINES = """(name) => {
  const doc = window.Bokeh.documents[0];
  for (const m of doc._all_models.values())
    if (m.name === name) return m.data.ys.flatMap((ys) => Array.from(ys));
  return null;
}"""


PLOT_VISIBLE = """(title) => {
  const doc = window.Bokeh.documents[0];
  for (const m of doc._all_models.values())
    if (m.title && m.title.text === title) return m.visible;
  return null;
}"""


def import_project(page: Page, studio, tmp_path: Path, case: str, name: str):
    project = build_project({**CASES[case]["project"], "name": name})
    path = tmp_path / f"{name}.json"
    path.write_text(io.dumps(project))
    open_page(page, studio.url, "Projects")
    page.locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_text(re.compile(rf"Imported {name}.json as"))).to_be_visible(timeout=30_000)
    return studio.last()["session"], project


def finished(page: Page, duration: float) -> None:
    pattern = re.compile(rf"Finished: {duration:.1f} ms simulated")
    expect(page.get_by_text(pattern)).to_be_visible(timeout=120_000)


def test_correlation_histogram_panel(page: Page, studio, tmp_path):
    session, project = import_project(page, studio, tmp_path, "correlation", "correlations")
    simulate(page)
    finished(page, project.simulation.duration)
    wait_for_points(page, "correlation")
    assert page.evaluate(PLOT_VISIBLE, "Correlation histogram") is True
    events = engine_simulate(project).events
    bins = sum(
        len(events[n.id][next(iter(events[n.id]))].reshape(-1))
        for n in project.nodes
        if n.model == "correlation_detector"
    )
    # one bar per bin of every correlation_detector, plus one row of each correlomatrix
    assert source_length(page, "correlation") >= bins
    tops = page.evaluate(BARS, "correlation")
    assert tops[: len(events["cd"]["histogram"])] == list(events["cd"]["histogram"])


def test_generator_current_trace(page: Page, studio, tmp_path):
    session, project = import_project(page, studio, tmp_path, "generator_currents", "currents")
    simulate(page)
    finished(page, project.simulation.duration)
    # the multimeters record only I: the traces show it
    expect(page.locator(".bk-Canvas").first).to_be_visible()
    wait_for_points(page, "traces")
    wait_until(page, lambda: page.evaluate(LINES, "traces"))
    values = np.array(page.evaluate(LINES, "traces"))
    assert {150.0, 80.0, 100.0, -50.0, 75.0} <= set(values.tolist())
    assert page.evaluate(PLOT_VISIBLE, "Correlation histogram") is False
