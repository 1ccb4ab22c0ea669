"""What a person does in the studio, as Playwright steps (mouse and keyboard only)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

# Screenshots go to build/screenshots (the suite never changes tracked files);
# tools/update_screenshots.sh points this at docs/screenshots to refresh the user guide's.
SHOTS = Path(
    os.environ.get("SPIKEDESK_SCREENSHOTS")
    or Path(__file__).resolve().parents[2] / "build" / "screenshots"
)

SOURCE_LENGTH = """(name) => {
  const doc = window.Bokeh && window.Bokeh.documents[0];
  if (!doc) return -1;
  for (const m of doc._all_models.values()) {
    if (m.name === name && m.get_length) return m.get_length();
  }
  return -1;
}"""


def source_length(page: Page, name: str) -> int:
    return page.evaluate(SOURCE_LENGTH, name)


def wait_for_points(page: Page, name: str, more_than: int = 0, timeout: float = 30_000) -> None:
    page.wait_for_function(f"({SOURCE_LENGTH})('{name}') > {more_than}", timeout=timeout)


def center(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def box_of(locator) -> dict:
    """The element's box once it is on screen (the canvas redraws replace elements)."""
    for _ in range(50):
        try:
            locator.wait_for(state="visible")
            locator.scroll_into_view_if_needed(timeout=2000)
            box = locator.bounding_box(timeout=2000)
        except PlaywrightError:
            box = None
        if box is not None:
            return box
        locator.page.wait_for_timeout(100)
    raise AssertionError(f"{locator} never got a box")


def node(page: Page, node_id: str):
    return page.locator(f"g.node[data-node-id='{node_id}']")


def drag_model(page: Page, model: str, x: float, y: float) -> None:
    """Drag a palette item to (x, y) pixels from the canvas's top-left corner."""
    item = page.locator(f".palette-item[data-model='{model}']")
    sx, sy = center(box_of(item))
    stage = page.locator(".stage").bounding_box()
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move(stage["x"] + x, stage["y"] + y, steps=10)
    page.mouse.up()


def connect(page: Page, source: str, target: str) -> None:
    """Drag from the source node's handle onto the target node."""
    hx, hy = center(box_of(page.locator(f"[data-handle-for='{source}']")))
    tx, ty = center(box_of(node(page, target).locator(".shape")))
    page.mouse.move(hx, hy)
    page.mouse.down()
    page.mouse.move(tx, ty, steps=10)
    page.mouse.up()


def click_node(page: Page, node_id: str) -> None:
    page.mouse.click(*center(box_of(node(page, node_id).locator(".shape"))))


def edge(page: Page, source: str, target: str):
    return page.locator(f"path.edge[data-source='{source}'][data-target='{target}']")


def click_edge(page: Page, source: str, target: str) -> None:
    """Select the connection source -> target as a person does: click on its line."""
    page.mouse.click(*edge(page, source, target).evaluate(MIDPOINT))


MIDPOINT = """(el) => {
  const p = el.getPointAtLength(el.getTotalLength() / 2);
  const m = el.getScreenCTM();
  return [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f];
}"""


def wait_until(page: Page, predicate, timeout: float = 10.0, what: str = "condition"):
    """Poll ``predicate`` (Python state of the served app) while the page keeps working."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"timed out waiting for {what}")


def field(page: Page, label: str):
    """The input labelled ``label``; an inspector parameter's label ends in its NEST name
    (``Reset potential (mV) · V_reset``), which may be left out."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( · \w+)?$"))


def set_field(page: Page, label: str, value: str) -> None:
    """Type into a field and leave it, as a person does; the value syncs on change."""
    box = field(page, label)
    box.fill(value)
    box.press("Tab")
    page.wait_for_timeout(400)


def simulate(page: Page) -> None:
    page.get_by_role("button", name="Simulate").click()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def open_page(page: Page, url: str, title: str, projects: bool = True, size=(1500, 1000)) -> None:
    """Load the studio at ``size``; with ``projects`` the project drawer is opened too."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(url)
    expect(page.locator(".stage")).to_be_visible(timeout=30_000)
    if projects:
        show_projects(page)
    expect(page.get_by_text(title).first).to_be_visible(timeout=30_000)


def show_projects(page: Page) -> None:
    """Open the project manager's drawer (the header's menu button) unless it is open."""
    drawer = page.locator("#sidebar")
    if not drawer.evaluate("el => el.classList.contains('show')"):
        page.locator("#sidebar-toggle").click()
    expect(page.get_by_label("Open an example")).to_be_visible()


def show_view(page: Page, name: str) -> None:
    """Switch the workspace to one of the header's views."""
    page.locator("#header").get_by_text(name, exact=True).click()
