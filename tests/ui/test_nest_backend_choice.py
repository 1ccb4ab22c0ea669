"""NEST in the studio as a person uses it: pick "NEST" as the backend, simulate the Brunel
example and watch the raster fill with NEST's spikes; open "Compare with NEST", run it, and
see both simulators' rasters, rates per population and wall times."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from spikedesk.engine.backends import nest_available
from ui_steps import open_page, set_field, shot, simulate, source_length, wait_for_points

pytestmark = [pytest.mark.ui, pytest.mark.nest]
TITLE = "brunel"

if not nest_available():
    pytest.skip("needs nest-simulator (pip install nest-simulator)", allow_module_level=True)


def test_the_nest_backend_fills_the_raster_with_nests_spikes(page: Page, studio):
    open_page(page, studio.url, TITLE)
    entry = studio.last()
    app, session = entry["studio"], entry["session"]
    select = page.get_by_label("backend", exact=True)
    expect(select.locator("option", has_text="NEST")).to_have_count(1)
    select.select_option("NEST")
    set_field(page, "duration (ms)", "300")
    assert app.backend == "NEST"
    simulate(page)
    wait_for_points(page, "raster", timeout=60_000)
    expect(page.get_by_text(re.compile(r"Finished: 300\.0 ms simulated"))).to_be_visible(
        timeout=120_000
    )
    expect(page.locator(".stats-table .tabulator-row")).to_have_count(2, timeout=20_000)
    assert not app.alert.visible

    # the raster holds NEST's spikes: the counts of the same network run on NEST directly
    from spikedesk.engine import merge
    from spikedesk.engine.backends import NESTBackend

    events = merge([c.events for c in NESTBackend().run(session.project)])
    spikes = sum(len(f["times"]) for f in events.values() if set(f) == {"senders", "times"})
    assert source_length(page, "raster") == min(spikes, 50_000)


def test_compare_shows_both_rates_and_wall_times(page: Page, studio):
    open_page(page, studio.url, TITLE)
    set_field(page, "duration (ms)", "300")
    page.get_by_text("Compare with NEST", exact=True).click()
    page.get_by_role("button", name="Run on both").click()
    expect(page.get_by_text(re.compile(r"Compared: same project"))).to_be_visible(timeout=180_000)
    wait_for_points(page, "compare-spikedesk", timeout=10_000)
    wait_for_points(page, "compare-nest", timeout=10_000)
    expect(
        page.get_by_text(re.compile(r"Wall time.*spikedesk [\d.]+ s, NEST [\d.]+ s"))
    ).to_be_visible()
    shot(page, "compare-with-nest.png")
    table = page.locator(".tabulator").filter(has_text="rate NEST")
    expect(table.locator(".tabulator-row")).to_have_count(2)
    rows = table.locator(".tabulator-row").all_inner_texts()
    for row, population in zip(rows, ("E", "I"), strict=True):
        cells = row.split()
        assert cells[0] == population
        ours, theirs = float(cells[4]), float(cells[5])  # rates on spikedesk and NEST
        assert ours > 1.0 and theirs > 1.0
        assert abs(ours - theirs) / theirs < 0.25  # one seed, 300 ms: within the seed spread
