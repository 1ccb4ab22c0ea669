"""Every plot saves itself as PNG and as SVG from its toolbar (the SVG holds the points as
shapes, also for the WebGL raster), and the events download as NPZ and CSV, at a projector's
1366x768."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect
from ui_steps import open_page, set_field, simulate, source_length, wait_for_points

pytestmark = pytest.mark.ui


def save(page: Page, plot: str, kind: str) -> tuple[str, bytes]:
    with page.expect_download() as download:
        page.locator(plot).first.get_by_title(f"Save as {kind}", exact=True).click()
    return download.value.suggested_filename, Path(download.value.path()).read_bytes()


def test_plots_as_png_and_svg_and_events_as_npz_and_csv(page: Page, studio):
    open_page(page, studio.url, "spikedesk", projects=False, size=(1366, 768))
    set_field(page, "duration (ms)", "100")
    simulate(page)
    expect(page.get_by_text(re.compile(r"Finished: 100\.0 ms"))).to_be_visible(timeout=60_000)
    wait_for_points(page, "raster")
    points = source_length(page, "raster")

    name, data = save(page, ".raster-plot", "PNG")
    assert name == "spike-raster.png" and data[:8] == b"\x89PNG\r\n\x1a\n"
    name, data = save(page, ".raster-plot", "SVG")
    assert name == "spike-raster.svg"
    svg = data.decode()
    assert svg.lstrip().startswith("<svg") and "Spike raster" in svg
    # every spike is a shape in the file (not a picture of the WebGL canvas)
    assert svg.count("<path") + svg.count("<circle") >= points > 100
    assert "<image" not in svg
    name, data = save(page, ".rate-plot", "SVG")
    assert name == "population-rate.svg" and b"<svg" in data[:200]
    # the analysis histograms too
    page.locator(".analysis-isi-distribution").first.scroll_into_view_if_needed()
    name, data = save(page, ".analysis-isi-distribution", "SVG")
    assert name == "isi-distribution.svg" and b"<svg" in data[:200]

    with page.expect_download() as download:
        page.get_by_text("Download results (NPZ)").click()
    with np.load(download.value.path()) as npz:
        assert len(npz["spikes_E/times"]) + len(npz["spikes_I/times"]) > 0
    with page.expect_download() as download:
        page.get_by_text("Download spikes (CSV)").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "recorder,sender,time_ms" and len(lines) > 1
