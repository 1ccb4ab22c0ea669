"""The last run's results are kept with the project: a reload of the page (or the next visit)
shows the raster, the statistics and the status of that run, and a broken results file just
shows no results."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from ui_steps import (
    open_page,
    set_field,
    shot,
    simulate,
    source_length,
    wait_for_points,
    wait_until,
)

pytestmark = pytest.mark.ui
SIZES = [(1366, 768), (1920, 1080)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_reload_shows_the_last_run(page: Page, studio, size):
    open_page(page, studio.url, "spikedesk", projects=False, size=size)
    session = studio.last()["session"]
    name = session.project_name
    set_field(page, "duration (ms)", "150")
    simulate(page)
    expect(page.get_by_text(re.compile(r"Finished: 150\.0 ms"))).to_be_visible(timeout=60_000)
    wait_for_points(page, "raster")
    shown = source_length(page, "raster")
    rows = page.locator(".stats-table .tabulator-row")
    page.locator(".stats-table").scroll_into_view_if_needed()
    counts = rows.first.inner_text()
    assert studio.store.results_path(name).is_file()

    page.reload()
    expect(page.locator(".stage")).to_be_visible(timeout=30_000)
    assert studio.last()["session"] is not session  # a new session of the same project
    assert studio.last()["session"].project_name == name
    kept = re.compile(r"Last run \(finished .*kept with the project\): 150\.0 ms")
    expect(page.get_by_text(kept)).to_be_visible(timeout=30_000)
    wait_for_points(page, "raster")
    assert source_length(page, "raster") == shown
    page.locator(".stats-table").scroll_into_view_if_needed()
    wait_until(page, lambda: rows.count() and rows.first.inner_text() == counts, what="its stats")
    shot(page, f"workspace-results-{size[0]}.png")

    # an edit after the run: the results stay, and say that the project has changed
    set_field(page, "duration (ms)", "160")
    page.reload()
    expect(page.get_by_text("The project has changed since.")).to_be_visible(timeout=30_000)

    # a broken results file: the project opens without results
    studio.store.results_path(name).write_bytes(b"PK\x03\x04 half a file")
    page.reload()
    expect(page.locator(".stage")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Ready.", exact=True)).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    assert source_length(page, "raster") == 0
    studio.store.results_path(name).unlink()
