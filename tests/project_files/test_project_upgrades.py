"""The upgrade chain: empty for version 1, but the mechanism runs (tested with fake steps)."""

from __future__ import annotations

import copy

import pytest
from spikedesk.project_files import io, upgrades
from spikedesk.project_files.project import FORMAT_VERSION
from spikedesk.project_files.validation import ProjectError


def test_current_chain_covers_every_old_version():
    assert set(upgrades.UPGRADES) == set(range(1, FORMAT_VERSION))
    for version, step in upgrades.UPGRADES.items():
        assert step.__name__ == f"upgrade_{version}_to_{version + 1}"


def upgrade_1_to_2(data):
    """Fake: version 2 renamed "nodes[].model" "iaf" to "iaf_psc_alpha"."""
    for node in data.get("nodes", []):
        if node.get("model") == "iaf":
            node["model"] = "iaf_psc_alpha"
    return data


def upgrade_2_to_3(data):
    """Fake: version 3 moved "title" to "name"."""
    data["name"] = data.pop("title")
    return data


FAKE = {1: upgrade_1_to_2, 2: upgrade_2_to_3}
OLD = {
    "format": "spikedesk-project",
    "version": 1,
    "title": "t",
    "nodes": [{"id": "a", "model": "iaf"}],
}


def test_chain_applies_every_step_in_order_without_touching_input():
    original = copy.deepcopy(OLD)
    new = upgrades.upgrade(OLD, FAKE, target=3)
    assert OLD == original
    assert new == {
        "format": "spikedesk-project",
        "version": 3,
        "name": "t",
        "nodes": [{"id": "a", "model": "iaf_psc_alpha"}],
    }


def test_chain_starts_at_the_file_version():
    mid = {"format": "spikedesk-project", "version": 2, "title": "t"}
    assert upgrades.upgrade(mid, FAKE, target=3)["name"] == "t"


def test_missing_step_is_an_error():
    with pytest.raises(upgrades.UpgradeError, match="no upgrade step from format version 2 to 3"):
        upgrades.upgrade(OLD, {1: upgrade_1_to_2}, target=3)


def test_current_and_newer_versions_pass_through_unchanged():
    current = {"version": 3}
    assert upgrades.upgrade(current, FAKE, target=3) is current
    newer = {"version": 4}
    assert upgrades.upgrade(newer, FAKE, target=3) is newer
    assert upgrades.upgrade("not a dict", FAKE, target=3) == "not a dict"


def test_loading_runs_the_chain_before_validation(monkeypatch):
    """With a fake version 2 installed, a version-1 file with an old model name loads."""

    def to_v2(data):
        for node in data.get("nodes", []):
            node["model"] = node["model"].replace("iaf_cond", "iaf_psc")
        return data

    monkeypatch.setattr(upgrades, "UPGRADES", {1: to_v2})
    monkeypatch.setattr(upgrades, "FORMAT_VERSION", 2)
    monkeypatch.setattr(upgrades.upgrade, "__defaults__", ({1: to_v2}, 2))
    monkeypatch.setattr("spikedesk.project_files.validation.FORMAT_VERSION", 2)
    data = {
        "format": "spikedesk-project",
        "version": 1,
        "nodes": [{"id": "a", "model": "iaf_cond_alpha"}],
    }
    project = io.from_dict(data)
    assert project.nodes[0].model == "iaf_psc_alpha"


def test_newer_version_is_a_clear_error():
    data = {"format": "spikedesk-project", "version": FORMAT_VERSION + 1, "nodes": []}
    with pytest.raises(ProjectError) as info:
        io.from_dict(data, "future.json")
    assert str(info.value) == (
        "future.json: 1 problem\n"
        f"  version: format version {FORMAT_VERSION + 1} is newer than this build of spikedesk "
        f"knows ({FORMAT_VERSION}); update spikedesk to open this file"
    )
