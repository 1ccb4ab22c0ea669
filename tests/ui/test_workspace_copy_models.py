"""Named copy models in the inspector, as a teacher builds Brunel's second population: the
first population's parameters saved as a model, picked for the second one in its Model
menu, and a change written back into the model for both."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from ui_steps import click_node, open_page, set_field, shot, wait_until

pytestmark = pytest.mark.ui


def test_save_a_node_as_a_model_and_pick_it_for_another(page: Page, studio):
    open_page(page, studio.url, "spikedesk", projects=False, size=(1366, 768))
    session = studio.last()["session"]
    e_params = dict(session.project.node("E").params)
    click_node(page, "E")
    page.get_by_label("Save as a named model").fill("brunel_iaf")
    page.get_by_role("button", name="Save", exact=True).click()
    wait_until(page, lambda: session.project.node("E").model == "brunel_iaf", what="the copy")
    assert dict(session.project.copy_models["brunel_iaf"].params) == e_params
    heading = page.locator(".inspector-heading")
    expect(heading).to_contain_text("brunel_iaf, a copy of iaf_psc_delta")
    expect(page.locator(".copy-model-about")).to_contain_text("used by E")
    shot(page, "inspector-copy-model.png")

    click_node(page, "I")
    expect(heading).to_have_text(re.compile(r"^I\s"))  # the inspector shows I now
    page.get_by_label("Model", exact=True).select_option("brunel_iaf")
    wait_until(page, lambda: session.project.node("I").model == "brunel_iaf", what="picked")
    expect(page.locator(".copy-model-about")).to_contain_text("used by E, I")
    # a change on I, written into the model: E has it too
    set_field(page, "Membrane time constant (ms)", "15")
    wait_until(page, lambda: session.project.node("I").params.get("tau_m") == 15.0)
    before = page.get_by_label("Save as a named model").element_handle()
    page.get_by_role("button", name="Update brunel_iaf from this node").click()
    wait_until(
        page,
        lambda: session.project.copy_models["brunel_iaf"].params.get("tau_m") == 15.0,
        what="the model updated",
    )
    assert "tau_m" not in session.project.node("I").params  # I takes it from the model
    assert "tau_m" not in session.project.node("E").params  # ... and so does E
    # I's fields, rebuilt after the update, show the model's value
    expect(page.get_by_label("Membrane time constant (ms) · tau_m", exact=True)).to_have_value("15")
    # a taken name is refused beside the field (typed into the rebuilt inspector)
    before.wait_for_element_state("hidden")
    page.get_by_label("Save as a named model").fill("brunel_iaf")
    page.get_by_role("button", name="Save", exact=True).click()
    refusal = page.locator(".field-error").filter(has_text="exists already")
    expect(refusal).to_contain_text("a model named 'brunel_iaf' exists already", timeout=15_000)
