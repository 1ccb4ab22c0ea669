"""Uploading a NEST Desktop file: several projects are all imported and the user picks the one
to open; what the import approximated is shown with the upload message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from ui_steps import open_page, shot, wait_until

pytestmark = pytest.mark.ui
ND = Path(__file__).resolve().parents[1] / "data" / "nest_desktop" / "3x"


def test_upload_picks_among_several_projects_and_shows_notes(page: Page, studio):
    open_page(page, studio.url, "Projects")
    several = ND / "network_models_recurrent_network_time_constant.json"
    page.locator("input[type=file]").set_input_files(str(several))
    expect(page.get_by_text(re.compile(r"\(and 3 more: pick one below\)"))).to_be_visible(
        timeout=30_000
    )
    session = studio.last()["session"]
    picker = page.get_by_label("Open an imported project")
    expect(picker).to_be_visible()
    options = picker.locator("option").all_inner_texts()
    assert len(options) == 4 and session.project_name == options[0]
    picker.select_option(options[2])
    wait_until(page, lambda: session.project_name == options[2], what="the picked project")
    # the Insite Brunel's copy models are folded in, and the upload message says so
    page.locator("input[type=file]").set_input_files(
        str(ND / "usecases_Insite_Brunel_network.json")
    )
    expect(page.get_by_text(re.compile("copy model 'inhibitory'"))).to_be_visible(timeout=30_000)
    expect(picker).to_be_hidden()
    shot(page, "nest-desktop-upload-notes.png")
    weights = {c.synapse.weight for c in session.project.connections}
    assert {2.0, -8.0} <= weights
