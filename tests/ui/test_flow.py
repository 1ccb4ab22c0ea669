"""A person's whole flow with mouse and keyboard only: an empty project, five nodes dragged
from the palette, connections drawn, values set in the inspector, a live simulation, and the
project still there after a reload. Screenshots feed docs/user-guide.md."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from ui_steps import (
    click_edge,
    click_node,
    connect,
    drag_model,
    edge,
    field,
    node,
    open_page,
    set_field,
    shot,
    simulate,
    wait_for_points,
)

pytestmark = pytest.mark.ui


def test_build_simulate_reload(page: Page, studio):
    open_page(page, studio.url, "brunel")
    page.get_by_role("button", name="New").click()
    expect(page.get_by_text("Drag a model from the palette onto the canvas")).to_be_visible()
    session = studio.last()["session"]
    assert session.project.nodes == ()
    shot(page, "guide-1-new-project.png")

    # 1. nodes from the palette
    for model, x, y, node_id in [
        ("poisson_generator", 90, 250, "pg1"),
        ("iaf_psc_delta", 300, 150, "P1"),
        ("iaf_psc_delta", 300, 350, "P2"),
        ("spike_recorder", 520, 250, "sr1"),
        ("voltmeter", 300, 40, "vm1"),
    ]:
        drag_model(page, model, x, y)
        expect(node(page, node_id)).to_be_visible(timeout=15_000)  # drawn before the next drag
    assert [n.model for n in session.project.nodes] == [
        "poisson_generator",
        "iaf_psc_delta",
        "iaf_psc_delta",
        "spike_recorder",
        "voltmeter",
    ]
    shot(page, "guide-2-nodes.png")

    # 2. connections, drawn from each source's handle
    for source, target in [
        ("pg1", "P1"),
        ("pg1", "P2"),
        ("P1", "P2"),
        ("P2", "P1"),
        ("P1", "sr1"),
        ("P2", "sr1"),
        ("vm1", "P1"),
    ]:
        connect(page, source, target)
        expect(edge(page, source, target)).to_have_count(1)
    # a connection into a generator is refused with a visible message
    connect(page, "P1", "pg1")
    expect(page.locator(".message")).to_contain_text("stimulator")
    assert len(session.project.connections) == 7
    shot(page, "guide-3-connections.png")

    # 3. the inspector: sizes, rate, weight, delay, and a bad value that is refused
    heading = page.locator(".inspector-heading")  # typed only once the fields are the node's
    click_node(page, "P1")
    expect(heading).to_contain_text("P1")
    expect(field(page, "Size (neurons)")).to_be_visible()
    set_field(page, "Label", "E")
    set_field(page, "Size (neurons)", "400")
    click_node(page, "P2")
    expect(heading).to_contain_text("P2")
    set_field(page, "Label", "I")
    set_field(page, "Size (neurons)", "100")
    set_field(page, "Membrane time constant (ms)", "-5")
    expect(page.get_by_text("must be > 0, got -5")).to_be_visible()
    assert session.project.node("P2").params.get("tau_m") is None  # still the default
    click_node(page, "pg1")
    expect(heading).to_contain_text("pg1")
    set_field(page, "Rate (spikes/s)", "3000")
    click_edge(page, "P2", "P1")
    expect(heading).to_contain_text("I → E")
    set_field(page, "Weight (mV)", "-2")
    set_field(page, "Delay (ms)", "2")
    shot(page, "guide-4-inspector.png")
    project = session.project
    assert project.node("P1").size == 400 and project.node("P2").size == 100
    assert project.node("P1").label == "E"
    assert project.node("pg1").params["rate"] == 3000.0
    inhibitory = next(c for c in project.connections if (c.source, c.target) == ("P2", "P1"))
    assert inhibitory.synapse.weight == -2.0 and inhibitory.synapse.delay == 2.0
    expect(edge(page, "P2", "P1")).to_have_class(re.compile(r"\binh\b"))

    # 4. simulate: raster points and a voltage trace appear while the run still goes
    set_field(page, "duration (ms)", "60000")
    simulate(page)
    wait_for_points(page, "raster")
    wait_for_points(page, "traces")
    expect(page.get_by_text(re.compile(r"Simulated [\d.]+ of 60000\.0 ms"))).to_be_visible()
    shot(page, "guide-5-running.png")
    # ... and Cancel stops it
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text(re.compile(r"Cancelled: [\d.]+ ms simulated"))).to_be_visible(
        timeout=30_000  # the run stops at once; under load the page may take a while to show it
    )
    page.locator(".stats-table").scroll_into_view_if_needed()  # the table under the plots
    expect(page.locator(".stats-table .tabulator-row")).to_have_count(2, timeout=20_000)
    rows = page.locator(".stats-table .tabulator-row").all_inner_texts()
    assert {r.split()[0] for r in rows} == {"E", "I"}  # named by their labels
    wait_for_points(page, "raster", 1000, timeout=10_000)

    # 5. reload: the project is as it was
    before = session.project
    page.reload()
    expect(node(page, "pg1")).to_be_visible(timeout=30_000)
    assert studio.last()["session"] is not session
    assert studio.last()["session"].project == before
    expect(edge(page, "P2", "P1")).to_have_count(1)
    expect(page.get_by_text("Untitled").first).to_be_visible()
