"""The workspace at a projector's 1366x768 and at 1920x1080: the network editor and a live
plot in view together without scrolling the page, the inspector beside them, the project
manager in a drawer, a resizable split, full-size views, and nothing fetched from outside
the machine."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from ui_steps import (
    click_node,
    open_page,
    set_field,
    shot,
    show_projects,
    show_view,
    simulate,
    wait_for_points,
    wait_until,
)

pytestmark = pytest.mark.ui
SIZES = [(1366, 768), (1920, 1080)]


def in_view(page: Page, selector: str, min_height: float = 1.0) -> dict:
    """The element's box, asserted to lie inside the window (at least ``min_height`` px of
    it visible, the whole width)."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    assert box["x"] >= -1 and box["x"] + box["width"] <= width + 1, (selector, box)
    visible = min(box["y"] + box["height"], height) - max(box["y"], 0)
    assert visible >= min_height, (selector, box)
    return box


def no_page_scroll(page: Page) -> None:
    sizes = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.scrollHeight,"
        " innerWidth, innerHeight]"
    )
    assert sizes[0] <= sizes[2] and sizes[1] <= sizes[3], f"the page scrolls: {sizes}"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_editor_and_live_activity_share_the_screen(page: Page, studio, size):
    open_page(page, studio.url, "spikedesk", projects=False, size=size)
    side = studio.last()
    expect(page.get_by_label("Open an example")).to_be_hidden()  # the drawer starts closed
    no_page_scroll(page)
    stage = in_view(page, ".stage", 250)
    raster = in_view(page, ".raster-plot", 200)
    assert raster["y"] >= stage["y"] + stage["height"] - 1  # the activity under the editor
    inspector = in_view(page, ".inspector", 300)
    assert inspector["x"] >= stage["x"] + stage["width"] - 1  # the inspector beside them
    for text in ("Undo", "Redo", "Simulate", "Cancel"):
        in_view(page, f"button:has-text('{text}')")
    for view in ("Editor + activity", "Activity", "Lab book", "Compare with NEST"):
        expect(page.locator("#header").get_by_text(view, exact=True)).to_be_in_viewport()
    # the teacher's run: the raster fills while the network stays in view
    set_field(page, "duration (ms)", "2000")
    simulate(page)
    wait_for_points(page, "raster")
    in_view(page, ".stage", 250)
    in_view(page, ".raster-plot", 200)
    no_page_scroll(page)
    if size == (1366, 768):
        shot(page, "workspace-1366.png")
    expect(page.get_by_text(re.compile(r"Finished: 2000\.0 ms"))).to_be_visible(timeout=60_000)
    # the project manager slides in as a drawer and leaves the rest usable
    show_projects(page)
    in_view(page, "select[size]")  # the project list
    in_view(page, ".stage", 200)
    no_page_scroll(page)
    assert side["session"].project_name.startswith("brunel")


def test_the_split_is_resizable_and_views_go_full_size(page: Page, studio):
    open_page(page, studio.url, "spikedesk", projects=False, size=(1366, 768))
    side = studio.last()
    before = page.locator(".stage").bounding_box()["height"]
    bar = page.locator(".sd-divider").bounding_box()
    x, y = bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 120, steps=8)
    page.mouse.up()
    wait_until(page, lambda: side["split"].ratio > 0.55, what="the new share")
    page.wait_for_timeout(300)
    assert page.locator(".stage").bounding_box()["height"] > before + 80
    # Activity full-size: no editor, the raster with the whole height
    show_view(page, "Activity")
    expect(page.locator(".stage")).to_be_hidden()
    in_view(page, ".raster-plot", 200)
    in_view(page, ".rate-plot", 100)
    # Editor alone, then both again
    show_view(page, "Editor")
    expect(page.locator(".raster-plot").first).to_be_hidden()
    assert page.locator(".stage").bounding_box()["height"] > 500
    show_view(page, "Editor + activity")
    expect(page.locator(".raster-plot").first).to_be_visible()  # the view's round trip
    in_view(page, ".stage", 200)
    in_view(page, ".raster-plot", 100)


def test_the_lab_book_summarises_network_and_results(page: Page, studio):
    open_page(page, studio.url, "spikedesk", projects=False, size=(1366, 768))
    set_field(page, "duration (ms)", "200")
    click_node(page, "E")
    set_field(page, "Label", "excitatory")
    simulate(page)
    expect(page.get_by_text(re.compile(r"Finished: 200\.0 ms"))).to_be_visible(timeout=60_000)
    show_view(page, "Lab book")
    book = page.locator(".labbook").locator("div").first  # the text, in the pane's shadow root
    expect(book).to_contain_text("Populations", timeout=20_000)  # after the run is drawn
    expect(book).to_contain_text("excitatory")
    expect(book).to_contain_text("iaf_psc_delta")
    expect(book).to_contain_text("Connections")
    expect(book).to_contain_text("K_in=80")
    expect(book).to_contain_text("200 ms simulated at a resolution of 0.1 ms")
    expect(page.get_by_text(re.compile(r"Last results"))).to_be_visible()
    rows = page.locator(".labbook-results .tabulator-row").filter(has_text="excitatory")
    expect(rows.first).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    shot(page, "workspace-labbook.png")


def test_the_page_works_with_every_outside_request_blocked(page: Page, studio):
    """Panel, Bokeh and the template are served by spikedesk itself (no CDN)."""
    outside = []

    def route(r):
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    open_page(page, studio.url, "spikedesk", size=(1366, 768))
    set_field(page, "duration (ms)", "200")
    simulate(page)
    expect(page.get_by_text(re.compile(r"Finished: 200\.0 ms"))).to_be_visible(timeout=60_000)
    wait_for_points(page, "raster")
    assert outside == [], f"requests outside the machine: {outside[:5]}"
