"""The canvas's context menu (right click: add a node here, clone, colour, delete) and
multi-select (Shift+click, Shift+drag a rectangle) with moving, copying and deleting several
nodes at once, as a teacher does it at a projector."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from ui_steps import box_of, center, click_node, node, open_page, shot, wait_until

pytestmark = pytest.mark.ui
SIZES = [(1366, 768), (1920, 1080)]


def view(page: Page) -> tuple[float, float, float]:
    d = page.locator(".viewport").evaluate("g => [g.dataset.tx, g.dataset.ty, g.dataset.k]")
    return float(d[0]), float(d[1]), float(d[2])


def empty_point(page: Page) -> tuple[float, float]:
    """A point of the stage that no node covers (its lower left corner)."""
    stage = page.locator(".stage").bounding_box()
    return stage["x"] + 40, stage["y"] + stage["height"] - 40


def shape_center(page: Page, node_id: str) -> tuple[float, float]:
    return center(box_of(node(page, node_id).locator(".shape")))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_context_menu_adds_clones_colours_and_deletes(page: Page, studio, size):
    open_page(page, studio.url, "spikedesk", projects=False, size=size)
    session = studio.last()["session"]
    n = len(session.project.nodes)
    menu = page.locator(".context-menu")
    # on the background: a model, searched by name, added where the menu was opened
    x, y = empty_point(page)
    page.mouse.click(x, y, button="right")
    expect(menu).to_be_visible()
    expect(menu).to_contain_text("Add a node here")
    box = menu.bounding_box()
    stage = page.locator(".stage").bounding_box()
    assert box["y"] + box["height"] <= stage["y"] + stage["height"] + 1  # inside the canvas
    page.get_by_label("Model to add here").fill("iaf_psc_alpha")
    shot(page, f"canvas-menu-add-{size[0]}.png")
    page.get_by_label("Model to add here").press("Enter")
    wait_until(page, lambda: len(session.project.nodes) == n + 1, what="the node added here")
    added = session.project.nodes[-1]
    assert added.model == "iaf_psc_alpha"
    tx, ty, k = view(page)
    svg = page.locator(".surface").bounding_box()
    assert added.position.x == pytest.approx((x - svg["x"] - tx) / k, abs=3 / k)  # 3 px
    assert added.position.y == pytest.approx((y - svg["y"] - ty) / k, abs=3 / k)
    expect(menu).to_be_hidden()

    # on a node: colour, clone, delete
    page.mouse.click(*shape_center(page, "E"), button="right")
    expect(menu).to_contain_text("E")
    shot(page, f"canvas-menu-node-{size[0]}.png")
    page.get_by_label("Colour orange").click()
    wait_until(page, lambda: session.project.node("E").color == "#ff7f0e", what="the colour")
    expect(node(page, "E").locator(".shape")).to_have_attribute("fill", "#ff7f0e")
    page.mouse.click(*shape_center(page, "I"), button="right")
    menu.get_by_role("menuitem", name="Clone node").click()
    wait_until(page, lambda: len(session.project.nodes) == n + 2, what="the clone")
    clone = session.project.nodes[-1]
    assert clone.label == "I copy" and clone.params == session.project.node("I").params
    page.mouse.click(*shape_center(page, added.id), button="right")
    menu.get_by_role("menuitem", name="Delete node").click()
    wait_until(page, lambda: added.id not in {n.id for n in session.project.nodes})
    # Escape closes the menu without doing anything
    page.mouse.click(*empty_point(page), button="right")
    expect(menu).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    assert len(session.project.nodes) == n + 1


def test_select_several_nodes_and_move_copy_delete_them(page: Page, studio):
    open_page(page, studio.url, "spikedesk", projects=False, size=(1366, 768))
    side = studio.last()
    session, canvas = side["session"], side["editor"].canvas
    n = len(session.project.nodes)
    # Shift+click adds to the selection
    click_node(page, "E")
    page.keyboard.down("Shift")
    page.mouse.click(*shape_center(page, "I"))
    page.keyboard.up("Shift")
    wait_until(page, lambda: sorted(canvas.group) == ["E", "I"], what="E and I selected")
    expect(page.locator("g.node.selected")).to_have_count(2)
    # dragging one moves both by the same amount, in one undo step
    e0, i0 = session.project.node("E").position, session.project.node("I").position
    ex, ey = shape_center(page, "E")
    page.mouse.move(ex, ey)
    page.mouse.down()
    page.mouse.move(ex + 60, ey + 30, steps=8)
    page.mouse.up()
    wait_until(page, lambda: session.project.node("I").position != i0, what="the group moved")
    e1, i1 = session.project.node("E").position, session.project.node("I").position
    _, _, k = view(page)
    assert e1.x - e0.x == pytest.approx(60 / k, abs=1.0)
    assert (e1.x - e0.x, e1.y - e0.y) == pytest.approx((i1.x - i0.x, i1.y - i0.y), abs=0.2)
    shot(page, "canvas-group-moved.png")
    page.keyboard.press("Control+z")
    wait_until(page, lambda: session.project.node("I").position == i0, what="one undo")
    assert session.project.node("E").position == e0
    # Ctrl+D copies the group with the connections among its nodes
    click_node(page, "E")
    page.keyboard.down("Shift")
    page.mouse.click(*shape_center(page, "I"))
    page.keyboard.up("Shift")
    wait_until(page, lambda: len(canvas.group) == 2, what="E and I again")
    page.keyboard.press("Control+d")
    wait_until(page, lambda: len(session.project.nodes) == n + 2, what="the copied group")
    wait_until(page, lambda: not {"E", "I"} & set(canvas.group), what="the copies selected")
    copies = set(canvas.group)
    assert {session.project.node(c).label for c in copies} == {"E copy", "I copy"}
    among = [c for c in session.project.connections if {c.source, c.target} <= copies]
    assert len(among) == 4  # E->E, E->I, I->E, I->I
    page.keyboard.press("Control+z")
    wait_until(page, lambda: len(session.project.nodes) == n, what="undo the copy")
    # Shift+drag on the background: a rectangle around both recorders, then Delete
    boxes = [box_of(node(page, n).locator(".shape")) for n in ("spikes_E", "spikes_I")]
    x0 = min(b["x"] for b in boxes) - 15
    y0 = min(b["y"] for b in boxes) - 15
    x1 = max(b["x"] + b["width"] for b in boxes) + 15
    y1 = max(b["y"] + b["height"] for b in boxes) + 15
    page.mouse.click(*empty_point(page))  # nothing selected
    page.keyboard.down("Shift")
    page.mouse.move(x1, y0)
    page.mouse.down()
    page.mouse.move(x0, y1, steps=8)
    page.mouse.up()
    page.keyboard.up("Shift")
    wait_until(page, lambda: sorted(canvas.group) == ["spikes_E", "spikes_I"], what="the band")
    page.keyboard.press("Delete")
    wait_until(page, lambda: len(session.project.nodes) == n - 2, what="both recorders deleted")
    assert not {"spikes_E", "spikes_I"} & {n.id for n in session.project.nodes}
