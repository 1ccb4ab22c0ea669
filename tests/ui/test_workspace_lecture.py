"""Lecture features: simulate on change and on open, and copying a population with its
parameters (Ctrl+D, Ctrl+C / Ctrl+V, or the inspector's Duplicate button)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from ui_steps import click_node, node, open_page, set_field, show_projects, wait_until

pytestmark = pytest.mark.ui


def test_duplicate_a_population_with_its_parameters(page: Page, studio):
    open_page(page, studio.url, "spikedesk", projects=False, size=(1366, 768))
    session = studio.last()["session"]
    click_node(page, "E")
    page.get_by_role("button", name="Duplicate node").click()
    wait_until(page, lambda: len(session.project.nodes) == 7, what="the copy")
    copy = session.project.nodes[-1]
    original = session.project.node("E")
    assert copy.model == original.model and copy.size == original.size
    assert copy.params == original.params and copy.label == "E copy"
    wait_until(page, lambda: session.selection == {"kind": "node", "id": copy.id})
    expect(page.locator(".inspector-heading")).to_contain_text("E copy")
    # keyboard: Ctrl+D duplicates the selection, Ctrl+C / Ctrl+V pastes a copy
    click_node(page, "I")
    page.keyboard.press("Control+d")
    wait_until(page, lambda: len(session.project.nodes) == 8, what="Ctrl+D")
    assert session.project.nodes[-1].label == "I copy"
    click_node(page, "noise")
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    wait_until(page, lambda: len(session.project.nodes) == 9, what="Ctrl+V")
    assert session.project.nodes[-1].params == session.project.node("noise").params
    page.keyboard.press("Control+z")
    wait_until(page, lambda: len(session.project.nodes) == 8, what="undo")


def test_simulate_on_change_and_on_open(page: Page, studio):
    open_page(page, studio.url, "spikedesk", projects=False, size=(1366, 768))
    side = studio.last()
    session, run = side["session"], side["studio"]
    set_field(page, "duration (ms)", "150")
    page.wait_for_timeout(1000)
    assert run.activity.summary == ""  # off by default: nothing ran
    assert not run.on_change
    page.get_by_role("checkbox").nth(0).check()  # "Simulate on change" (nothing selected)
    wait_until(page, lambda: run.on_change, what="the checkbox")
    click_node(page, "noise")
    set_field(page, "Rate (spikes/s)", "900")
    expect(page.get_by_text(re.compile(r"Finished: 150\.0 ms"))).to_be_visible(timeout=60_000)
    assert run.activity._run_project == session.project  # the run of the edited project
    # two quick edits: one run, of the last
    set_field(page, "Rate (spikes/s)", "950")
    set_field(page, "Rate (spikes/s)", "1000")
    wait_until(
        page,
        lambda: (
            run.activity._run_project.node("noise").params["rate"] == 1000.0 and not run.running
        ),
        timeout=60,
        what="the run of the last edit",
    )
    # on open: the example runs as soon as it is opened
    page.get_by_role("checkbox").nth(1).check()  # "... on open"
    show_projects(page)
    page.get_by_label("Open an example").select_option("single_neuron_dc")
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Open", exact=True).click()
    expect(node(page, "dc")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Finished: 200\.0 ms"))).to_be_visible(timeout=60_000)
    assert run.activity._run_project.node("dc") is not None
