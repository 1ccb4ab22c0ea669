"""The studio as a person uses it: open the Brunel example, simulate, watch the raster fill."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.ui
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

SOURCE_LENGTH = """(name) => {
  const doc = window.Bokeh && window.Bokeh.documents[0];
  if (!doc) return -1;
  for (const m of doc._all_models.values()) {
    if (m.name === name && m.get_length) return m.get_length();
  }
  return -1;
}"""


def raster_points(page: Page) -> int:
    return page.evaluate(SOURCE_LENGTH, "raster")


def set_field(page: Page, label: str, value: str) -> None:
    """Type into a number field and leave it, as a person does; the value syncs on change."""
    box = page.get_by_label(label)
    box.fill(value)
    box.press("Tab")
    page.wait_for_timeout(500)  # let the change reach the server before the next click


def set_duration(page: Page, value: str) -> None:
    set_field(page, "duration (ms)", value)


def test_simulate_brunel_fills_raster_live_and_shows_rates(page: Page, studio_url: str):
    external = []
    page.on(
        "request",
        lambda r: (
            external.append(r.url)
            if "127.0.0.1" not in r.url and not r.url.startswith("data:")
            else None
        ),
    )
    page.goto(studio_url)
    expect(page.get_by_text("Brunel balanced random network").first).to_be_visible(timeout=30_000)
    set_duration(page, "6000")
    page.get_by_role("button", name="Simulate").click()
    # points appear while the run is still going
    page.wait_for_function(f"({SOURCE_LENGTH})('raster') > 0", timeout=30_000)
    expect(page.get_by_text(re.compile(r"Simulated [\d.]+ of 6000\.0 ms"))).to_be_visible()
    assert page.get_by_role("button", name="Cancel").is_enabled()
    expect(page.get_by_text(re.compile(r"Finished: 6000\.0 ms simulated"))).to_be_visible(
        timeout=120_000
    )
    assert raster_points(page) > 50_000
    assert page.evaluate(SOURCE_LENGTH, "traces") > 1000  # voltmeter on 5 neurons
    table = page.locator(".tabulator")
    expect(table.get_by_text("E", exact=True)).to_be_visible()
    rows = table.locator(".tabulator-row").all_inner_texts()
    rates = {r.split()[0]: float(r.split()[3]) for r in rows}
    # the engine gives 18.2 (E) and 18.5 (I) spikes/s for seed 1 over 1 s; NEST ~16-17
    assert 12.0 < rates["E"] < 24.0 and 12.0 < rates["I"] < 24.0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "studio-brunel.png"), full_page=True)
    assert external == [], f"requests outside the machine: {external[:5]}"


def test_bad_settings_show_an_error_and_keep_the_project(page: Page, studio_url: str):
    page.goto(studio_url)
    expect(page.get_by_text("Brunel balanced random network").first).to_be_visible(timeout=30_000)
    set_field(page, "resolution (ms)", "2")  # the 1.5 ms delays are shorter than a 2 ms step
    page.get_by_role("button", name="Simulate").click()
    expect(page.get_by_text(re.compile("Simulation failed"))).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Failed; the project is unchanged.")).to_be_visible()
    set_field(page, "resolution (ms)", "0.1")
    set_duration(page, "200")
    page.get_by_role("button", name="Simulate").click()
    expect(page.get_by_text(re.compile(r"Finished: 200\.0 ms"))).to_be_visible(timeout=60_000)


def test_two_sessions_simulate_at_once(browser, studio_url: str):
    pages = [browser.new_context().new_page() for _ in range(2)]
    for p in pages:
        p.goto(studio_url)
        expect(p.get_by_text("Brunel balanced random network").first).to_be_visible(timeout=30_000)
        set_duration(p, "2000")
    for p in pages:
        p.get_by_role("button", name="Simulate").click()
    for p in pages:
        expect(p.get_by_text(re.compile(r"Finished: 2000\.0 ms"))).to_be_visible(timeout=120_000)
        assert raster_points(p) > 10_000
    for p in pages:
        p.context.close()
