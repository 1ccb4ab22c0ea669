"""A node's parameters are one transaction in the inspector: a refused value stays pending
with its message and is retried with the node's next edit (NEST's copy-validate-commit)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from ui_steps import click_node, drag_model, field, node, open_page, set_field

pytestmark = pytest.mark.ui


@pytest.mark.parametrize("model", ["iaf_psc_delta", "iaf_psc_alpha"])
def test_v_reset_then_v_th_are_taken_together(page: Page, studio, model):
    """Issue 13: on a new iaf_psc_delta, V_reset=0 before V_th=20 was dropped silently."""
    open_page(page, studio.url, "brunel")
    page.get_by_role("button", name="New").click()
    expect(page.get_by_text("Drag a model from the palette onto the canvas")).to_be_visible()
    session = studio.last()["session"]
    drag_model(page, model, 300, 200)
    expect(node(page, "P1")).to_be_visible()
    click_node(page, "P1")

    # V_reset = 0 alone is not below the default V_th = -55: refused, shown, pending
    set_field(page, "Reset potential (mV)", "0")
    message = page.locator(".field-error").filter(has_text="V_reset must be < V_th")
    expect(message).to_be_visible()
    expect(field(page, "Reset potential (mV)")).to_have_value("0")
    assert "V_reset" not in session.project.node("P1").params

    # V_th = 20 is tried together with the pending V_reset: both are taken
    set_field(page, "Threshold (mV)", "20")
    expect(message).to_be_hidden()
    params = dict(session.project.node("P1").params)
    assert params["V_reset"] == 0.0 and params["V_th"] == 20.0

    # NEST's documentation of the model, in a collapsible card
    expect(page.get_by_text(f"NEST documentation: {model}")).to_be_visible()


def test_a_stimulator_node_has_a_size_in_devices(page: Page, studio):
    """A stimulator node is `size` devices (NEST's Create n), each may get its own values."""
    open_page(page, studio.url, "brunel")
    page.get_by_role("button", name="New").click()
    session = studio.last()["session"]
    drag_model(page, "sinusoidal_poisson_generator", 300, 200)
    expect(node(page, "spg1")).to_be_visible()
    click_node(page, "spg1")
    set_field(page, "Size (devices)", "3")
    assert session.project.node("spg1").size == 3
    expect(field(page, "Amplitude (spikes/s)")).to_be_visible()
