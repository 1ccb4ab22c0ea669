"""Spatial networks in the studio, as a person uses them: the spatial activity view fills
while the run streams, a 3D layer turns when dragged, the inspector edits a node's layer
and a connection's mask (with the preview around one neuron), and parameter fields take
expressions, with the column of a mistake shown while typing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from spikedesk.project_files import examples_dir, io
from ui_steps import click_edge, click_node, field, open_page, shot, simulate, wait_until

pytestmark = pytest.mark.ui
SIZES = [(1366, 768), (1920, 1080)]

PREVIEW_TITLE = """() => {
  const doc = window.Bokeh && window.Bokeh.documents[0];
  if (!doc) return "";
  let text = "";  // the newest preview (an inspector rebuild adds a new figure)
  for (const m of doc._all_models.values())
    if (m.name === "mask-preview" && m.title) text = m.title.text;
  return text;
}"""


def open_project(page: Page, studio, name: str, project, size) -> dict:
    if not studio.store.exists(name):
        studio.store.create(project, name)
    open_page(page, f"{studio.url}?project={name}", name, projects=False, size=size)
    return studio.last()


def spatial_3d():
    data = io.to_dict(io.load(examples_dir() / "spatial_brunel.json"))
    for n in data["nodes"]:
        if n["id"] in ("E", "I"):
            n["spatial"] = {"grid": {"shape": [10, 8, 10] if n["id"] == "E" else [5, 4, 10],
                                     "extent": [2.0, 1.0, 1.0], "edge_wrap": True}}  # fmt: skip
    for c in data["connections"]:
        mask = c.get("rule", {}).get("mask")
        if mask:
            mask["spherical"] = mask.pop("circular")
    data["simulation"]["duration"] = 300.0
    return io.from_dict(data)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_spatial_view_fills_while_the_run_streams(page: Page, studio, size):
    example = io.load(examples_dir() / "spatial_brunel.json")
    open_project(page, studio, "spatial", example, size)
    simulate(page)
    canvas = page.locator("canvas.spatial-canvas")
    expect(canvas).to_have_attribute("data-drawn", "1000", timeout=60_000)  # 800 E + 200 I
    expect(page.get_by_text(re.compile(r"Finished: 500\.0 ms"))).to_be_visible(timeout=60_000)
    wait_until(page, lambda: float(canvas.get_attribute("data-activity") or 0) > 1.0,
               what="activity on the layers")  # fmt: skip
    status = page.locator(".spatial-status")
    expect(status).to_contain_text("Activity at 500 ms")
    expect(status).to_contain_text(re.compile(r"E: \d+(\.\d)? spikes/s"))
    canvas.scroll_into_view_if_needed()
    shot(page, f"spatial-activity-{size[0]}.png")


def test_a_3d_layer_turns_when_dragged(page: Page, studio):
    open_project(page, studio, "spatial3d", spatial_3d(), (1366, 768))
    simulate(page)
    canvas = page.locator("canvas.spatial-canvas")
    expect(canvas).to_have_attribute("data-drawn", "1000", timeout=60_000)
    canvas.scroll_into_view_if_needed()
    before = int(canvas.get_attribute("data-azimuth"))
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2 + 20, steps=8)
    page.mouse.up()
    wait_until(page, lambda: int(canvas.get_attribute("data-azimuth")) >= before + 50,
               what="the view turning")  # fmt: skip
    view = studio.last()["studio"].activity.spatial.cloud
    wait_until(page, lambda: view.azimuth >= before + 50, what="the rotation reaching Python")
    shot(page, "spatial-3d.png")


def test_the_inspector_edits_layers_masks_and_expressions(page: Page, studio):
    example = io.load(examples_dir() / "spatial_brunel.json")
    served = open_project(page, studio, "spatial-edit", example, (1366, 768))
    session = served["session"]
    click_node(page, "E")
    shape = field(page, "Grid (columns, rows[, depth])")
    expect(shape).to_have_value("40, 20")
    shape.fill("30, 20")
    shape.press("Tab")
    wait_until(page, lambda: session.project.node("E").size == 600, what="E resized by its grid")
    expect(field(page, "Size (neurons)")).to_have_value("600")

    # an expression in a neuron parameter: its mistake is shown, with the column, while typed
    vm = field(page, "Initial V_m (mV)")
    vm.fill("20.0 * random.uniform(min=0.0, max=1.0")
    expect(page.get_by_text(re.compile(r"column \d+: "))).to_be_visible(timeout=10_000)
    vm.fill("-70.0 + 10.0 * spatial.pos.x")
    vm.press("Tab")
    wait_until(
        page,
        lambda: str(session.project.node("E").params.get("V_m")) == "-70.0 + 10.0 * spatial.pos.x",
        what="the expression applied",
    )

    # the E -> E connection: its circular mask, a new radius, and the preview around a neuron
    click_edge(page, "E", "E")
    expect(field(page, "Mask")).to_have_value("circular")
    title = lambda: page.evaluate(PREVIEW_TITLE)  # noqa: E731
    wait_until(page, lambda: "in the mask of" in title(), what="the mask preview")
    inside = int(re.match(r"(\d+) of", title())[1])
    radius = field(page, "radius")
    radius.fill("0.2")
    radius.press("Tab")
    wait_until(
        page,
        lambda: session.project.connections[2].rule.params["mask"]["circular"]["radius"] == 0.2,
        what="the radius applied",
    )
    wait_until(page, lambda: int(re.match(r"(\d+) of", title())[1]) < inside,
               what="a smaller pool in the preview")  # fmt: skip
    # a mask wider than the wrapped layer is refused beside its field, the project keeps 0.2
    radius.fill("0.9")
    radius.press("Tab")
    expect(page.get_by_text(re.compile("wider than|must be|larger"))).to_be_visible(timeout=10_000)
    shot(page, "spatial-inspector.png")
