"""Drawing a population's second connection: it arrives with the rule and synapse of the
first one (a population projects with one kind of synapse), says so, and the voltmeter's
neurons are typed as a range."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from spikedesk.app import edits
from ui_steps import connect, field, open_page, set_field, wait_until

pytestmark = pytest.mark.ui


def two_populations():
    project = edits.empty_project("two populations")
    project, e = edits.add_node(project, "iaf_psc_delta", 150, 100)
    project, i = edits.add_node(project, "iaf_psc_delta", 150, 300)
    project, vm = edits.add_node(project, "voltmeter", 450, 100)
    project = edits.set_node(project, e, label="E")
    return edits.set_node(project, i, label="I"), (e, i, vm)


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_second_connection_takes_the_first_ones_rule_and_synapse(page: Page, studio, size):
    name = f"siblings-{size[0]}"
    project, (e, i, vm) = two_populations()
    studio.store.create(project, name)
    open_page(page, f"{studio.url}?project={name}", name, projects=False, size=size)
    session = studio.last()["session"]
    heading = page.locator(".inspector-heading")

    connect(page, e, e)
    wait_until(page, lambda: len(session.project.connections) == 1, what="E -> E")
    first = session.project.connections[0].id
    expect(heading).to_contain_text(f"connection {first}")
    field(page, "Rule").select_option("fixed_indegree")
    expect(field(page, "indegree")).to_be_visible()
    set_field(page, "indegree", "80")
    set_field(page, "Delay (ms)", "1.5")
    wait_until(page, lambda: edits.connection(session.project, first).synapse.delay == 1.5)

    connect(page, e, i)
    wait_until(page, lambda: len(session.project.connections) == 2, what="E -> I")
    second = session.project.connections[1]
    assert second.rule.rule == "fixed_indegree" and second.rule.params["indegree"] == 80
    assert second.synapse.delay == 1.5
    expect(page.locator(".message")).to_contain_text(
        "The new connection has the rule and synapse of E → E."
    )
    expect(heading).to_contain_text(f"connection {second.id}")
    expect(field(page, "Rule")).to_have_value("fixed_indegree")
    expect(field(page, "indegree")).to_have_value("80")
    expect(field(page, "Delay (ms)")).to_have_value("1.5")

    # the voltmeter records E's neurons 0 to 4, typed as a range and shown as one
    connect(page, e, vm)
    wait_until(page, lambda: len(session.project.connections) == 3, what="E -> voltmeter")
    recording = session.project.connections[2]
    assert (recording.source, recording.target) == (vm, e)  # stored NEST's way
    expect(heading).to_contain_text(f"connection {recording.id}")
    set_field(page, "Record neurons (indices, empty = all)", "0-4")
    wait_until(
        page,
        lambda: edits.connection(session.project, recording.id).target_indices == (0, 1, 2, 3, 4),
        what="neurons 0-4 recorded",
    )
    set_field(page, "Record neurons (indices, empty = all)", "0-4, x")
    expect(page.locator(".field-error").filter(has_text="'x'")).to_contain_text(
        "not a neuron index or range: 'x'"
    )
    assert edits.connection(session.project, recording.id).target_indices == (0, 1, 2, 3, 4)
