"""Atomic save: a failed write leaves the previous file intact and no temporary file behind."""

from __future__ import annotations

import os
import stat

import pytest
from spikedesk.project_files import io
from spikedesk.project_files.project import Node, Project
from spikedesk.project_files.validation import ProjectError

OLD = Project(name="old", nodes=(Node("a", "iaf_psc_alpha"),))
NEW = Project(name="new", nodes=(Node("b", "iaf_psc_delta", size=5),))


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "project.json"
    io.save(OLD, path)
    return path


def test_save_then_load(saved):
    assert io.load(saved) == OLD
    io.save(NEW, saved)
    assert io.load(saved) == NEW
    assert os.listdir(saved.parent) == ["project.json"]


@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_failed_save_keeps_old_file_and_removes_temp(saved, monkeypatch, failing):
    before = saved.read_bytes()

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if failing == "write":
        real_fdopen = os.fdopen

        def fdopen(*args, **kwargs):
            handle = real_fdopen(*args, **kwargs)
            handle.write = boom
            return handle

        monkeypatch.setattr(io.os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(io.os, failing, boom)
    with pytest.raises(OSError, match="No space left"):
        io.save(NEW, saved)
    monkeypatch.undo()
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == ["project.json"]
    assert io.load(saved) == OLD


def test_interrupt_during_save_removes_temp(saved, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(io.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        io.save(NEW, saved)
    monkeypatch.undo()
    assert io.load(saved) == OLD
    assert os.listdir(saved.parent) == ["project.json"]


def test_invalid_project_is_not_written(saved):
    before = saved.read_bytes()
    bad = Project(nodes=(Node("a", "iaf_psc_alpha", size=0),))
    with pytest.raises(ProjectError, match=r"nodes\[0\].size: must be >= 1, got 0"):
        io.save(bad, saved)
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == ["project.json"]


def test_save_keeps_file_permissions(saved):
    os.chmod(saved, 0o600)
    io.save(NEW, saved)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600


def test_new_file_is_readable(tmp_path):
    path = tmp_path / "fresh.json"
    io.save(NEW, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert path.read_text(encoding="utf-8") == io.dumps(NEW)
