"""The bugs issue 13 saw while using the studio as a teacher would, one test each (the
transactional V_reset/V_th edit is in test_inspector_params.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from ui_steps import (
    click_node,
    connect,
    drag_model,
    edge,
    field,
    node,
    open_page,
    set_field,
    simulate,
    wait_for_points,
    wait_until,
)

pytestmark = pytest.mark.ui


def new_project(page: Page, studio) -> dict:
    open_page(page, studio.url, "spikedesk")
    page.get_by_role("button", name="New").click()
    wait_until(page, lambda: studio.last()["session"].project.nodes == (), what="a new project")
    return studio.last()


def open_example(page: Page, name: str) -> None:
    page.get_by_label("Open an example").select_option(name)
    page.wait_for_timeout(500)  # the choice reaches the server before the click
    page.get_by_role("button", name="Open", exact=True).click()
    expect(page.get_by_text(re.compile(f"Opened the example as {name}"))).to_be_visible(
        timeout=20_000
    )


def heading(page: Page):
    return page.locator(".inspector-heading")


def test_the_inspector_shows_the_dropped_node_at_once(page: Page, studio):
    """The heading named the new node while the fields still showed the previous one."""
    new_project(page, studio)
    drag_model(page, "spike_recorder", 450, 250)
    expect(heading(page)).to_contain_text("sr1")
    expect(page.get_by_label("Model", exact=True)).to_have_value("spike_recorder")
    # every animation frame, the browser notes what the inspector shows
    page.evaluate(WATCH_INSPECTOR)
    drag_model(page, "voltmeter", 300, 80)
    expect(heading(page)).to_contain_text("vm1")
    expect(page.get_by_label("Model", exact=True)).to_have_value("voltmeter")
    page.wait_for_timeout(300)
    seen = page.evaluate("window.__inspectorSeen")
    mixed = [field for text, field in seen if "Voltmeter" in text and field != "voltmeter"]
    assert not mixed, f"the heading named vm1 over the fields of {mixed[0]}"


WATCH_INSPECTOR = """() => {
  window.__inspectorSeen = [];
  const find = (root, sel) => {
    const hit = root.querySelector(sel);
    if (hit) return hit;
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) { const h = find(el.shadowRoot, sel); if (h) return h; }
    }
    return null;
  };
  const look = () => {
    const head = find(document, ".inspector-heading");
    const panel = find(document, ".inspector");
    const select = panel && find(panel.shadowRoot || panel, "select");
    const label = head ? (head.shadowRoot || head).textContent : "";
    window.__inspectorSeen.push([label, select ? select.value : null]);
    if (window.__inspectorSeen.length < 2000) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}"""


def test_a_decimal_comma_and_a_typo_in_a_number_field(page: Page, studio):
    """ "1,5" became 15 and "abc" silently reverted."""
    side = new_project(page, studio)
    session = side["session"]
    drag_model(page, "iaf_psc_delta", 300, 200)
    click_node(page, "P1")
    set_field(page, "Refractory period (ms)", "1,5")
    wait_until(page, lambda: session.project.node("P1").params.get("t_ref") == 1.5, what="1.5")
    set_field(page, "Membrane time constant (ms)", "abc")
    expect(page.locator(".field-error").filter(has_text="not a number: 'abc'")).to_be_visible()
    expect(field(page, "Membrane time constant (ms)")).to_have_value("abc")
    assert "tau_m" not in session.project.node("P1").params
    set_field(page, "Size (neurons)", "2,5")  # a size is a whole number
    expect(page.locator(".field-error").filter(has_text="not a whole number")).to_be_visible()
    assert session.project.node("P1").size == 100
    # the simulation settings take the same entries
    set_field(page, "duration (ms)", "12,5")
    wait_until(page, lambda: session.project.simulation.duration == 12.5, what="12.5 ms")
    set_field(page, "duration (ms)", "abc")
    expect(page.get_by_text("duration (ms): not a number: 'abc'")).to_be_visible()
    assert session.project.simulation.duration == 12.5


def test_stop_never_shows_the_largest_double(page: Page, studio):
    """NEST's "never" (1.7976931348623157e+308) is an empty Stop field with a hint."""
    side = new_project(page, studio)
    drag_model(page, "spike_recorder", 450, 250)
    click_node(page, "sr1")
    stop = field(page, "Stop (ms)")
    expect(stop).to_have_value("")
    expect(stop).to_have_attribute("placeholder", re.compile("∞"))
    expect(page.get_by_text("1.7976931348623157e+308")).to_have_count(0)
    set_field(page, "Stop (ms)", "500")
    session = side["session"]
    wait_until(page, lambda: session.project.node("sr1").params.get("stop") == 500.0)
    set_field(page, "Stop (ms)", "")  # empty again: no end
    wait_until(page, lambda: session.project.node("sr1").params.get("stop", 2e308) > 1e308)


def test_opening_another_project_leaves_nothing_of_the_last(page: Page, studio):
    """After opening another project the old raster, status and "Saved <other>" stayed,
    and so did the pan/zoom of the canvas."""
    open_page(page, studio.url, "spikedesk")
    side = studio.last()
    open_example(page, "brunel")
    set_field(page, "duration (ms)", "300")
    simulate(page)
    expect(page.get_by_text(re.compile(r"Finished: 300\.0 ms"))).to_be_visible(timeout=60_000)
    wait_for_points(page, "raster")
    expect(page.get_by_text(re.compile(r"^Saved brunel"))).to_be_visible()
    page.locator(".toolbar .zoom-in").click()
    page.locator(".toolbar .zoom-in").click()
    expect(page.locator(".zoom-label")).not_to_have_text("100%")
    open_example(page, "single_neuron_dc")  # an import or the list open it the same way
    expect(node(page, "dc")).to_be_visible()
    expect(page.get_by_text("Ready.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Saved brunel"))).to_have_count(0)
    page.wait_for_function(
        """() => { for (const m of window.Bokeh.documents[0]._all_models.values())
          if (m.name === "raster") return m.get_length() === 0; }""",
        timeout=10_000,
    )
    # the canvas was fitted to the new network: every node in view
    stage = page.locator(".stage").bounding_box()
    for n in side["session"].project.nodes:
        box = node(page, n.id).locator(".shape").bounding_box()
        assert stage["x"] <= box["x"] and box["x"] + box["width"] <= stage["x"] + stage["width"]
        assert stage["y"] <= box["y"] and box["y"] + box["height"] <= stage["y"] + stage["height"]


def test_a_recorder_is_connected_to_a_population_once(page: Page, studio):
    """Dragging from a recorder onto a population silently made a second connection (its
    spikes were then counted twice)."""
    side = new_project(page, studio)
    session = side["session"]
    drag_model(page, "iaf_psc_delta", 250, 200)
    drag_model(page, "spike_recorder", 500, 200)
    connect(page, "P1", "sr1")
    expect(edge(page, "P1", "sr1")).to_have_count(1)
    connect(page, "sr1", "P1")  # the other way round means the same in NEST
    expect(page.locator(".message")).to_contain_text("already connected")
    assert len(session.project.connections) == 1


def test_the_wheel_over_the_canvas_does_not_zoom(page: Page, studio):
    new_project(page, studio)
    stage = page.locator(".stage").bounding_box()
    page.mouse.move(stage["x"] + 200, stage["y"] + 150)
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(300)
    expect(page.locator(".zoom-label")).to_have_text("100%")
    page.keyboard.down("Control")
    page.mouse.wheel(0, -300)
    page.keyboard.up("Control")
    expect(page.locator(".zoom-label")).not_to_have_text("100%")


def test_the_busy_indicator_stops_after_a_run(page: Page, studio):
    """The 100 ms periodic callback of a run was never removed, so the page's busy
    indicator kept spinning."""
    open_page(page, studio.url, "spikedesk")
    side = studio.last()
    set_field(page, "duration (ms)", "100")
    simulate(page)
    expect(page.get_by_text(re.compile(r"Finished: 100\.0 ms"))).to_be_visible(timeout=60_000)
    wait_until(page, lambda: side["studio"]._callback is None, what="the callback removed")
    busy = page.locator(".pn-busy, .pn-loading").count()
    page.wait_for_timeout(500)
    assert page.locator(".pn-busy, .pn-loading").count() == busy == 0


def test_long_messages_wrap_and_name_nodes_not_paths(page: Page, studio):
    open_page(page, studio.url, "spikedesk")
    open_example(page, "brunel")
    set_field(page, "resolution (ms)", "2")
    message = page.get_by_text(re.compile(r"resolution = 2(\.0)? refused"))
    expect(message).to_be_visible()
    text = message.inner_text()
    assert "connections[" not in text and "nodes[" not in text
    assert "connection E → I delay" in text
    box = message.bounding_box()
    assert box["x"] + box["width"] <= page.viewport_size["width"]
    # beside a field: wrapped inside the inspector, whole
    click_node(page, "E")
    set_field(page, "Threshold (mV)", "-80")  # below V_reset
    error = page.locator(".field-error").filter(has_text="V_th")
    expect(error).to_be_visible()
    assert error.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    assert "nodes[" not in error.inner_text()


def url_names(page: Page, name: str) -> None:
    page.wait_for_function(
        "(name) => new URLSearchParams(location.search).get('project') === name", arg=name
    )


def test_the_url_names_the_project(page: Page, studio):
    open_page(page, studio.url, "spikedesk")
    session = studio.last()["session"]
    url_names(page, session.project_name)
    open_example(page, "single_neuron_dc")
    name = session.project_name
    assert name.startswith("single_neuron_dc")
    url_names(page, name)
    page.reload()
    expect(node(page, "dc")).to_be_visible(timeout=30_000)
    assert studio.last()["session"].project_name == name
