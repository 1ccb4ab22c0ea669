"""The last run's results kept beside the project in the store: saved by the studio's worker,
read back by a new session, and a missing or broken results file just means no results."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from spikedesk.app import results
from spikedesk.app.session import ProjectSession
from spikedesk.app.store import ProjectStore
from spikedesk.app.studio import Studio
from spikedesk.engine import merge
from spikedesk.engine.backends import EmbeddedBackend
from spikedesk.project_files import examples_dir, io


def short_brunel(duration: float = 200.0):
    project = io.load(examples_dir() / "brunel.json")
    return replace(project, simulation=replace(project.simulation, duration=duration))


def a_run(project) -> results.SavedRun:
    chunks = list(EmbeddedBackend().run(project, chunk=50.0))
    return results.SavedRun(
        project, merge([c.events for c in chunks]), dict(chunks[-1].node_ids),
        chunks[-1].time, 0.5, chunks[-1].duration,
    )  # fmt: skip


def test_a_run_round_trips_with_its_project(tmp_path):
    project = short_brunel()
    run = a_run(project)
    path = tmp_path / "brunel.results.npz"
    results.save(path, run)
    back = results.load(path)
    assert back is not None and back.project == project
    assert back.node_ids == run.node_ids and back.simulated == run.simulated == 200.0
    assert set(back.events) == set(run.events)
    for rid, fields in run.events.items():
        for name, values in fields.items():
            assert np.array_equal(back.events[rid][name], values)
            assert back.events[rid][name].dtype == values.dtype
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file


@pytest.mark.parametrize(
    "content",
    [b"", b"not a zip file", b"PK\x03\x04 truncated"],
    ids=["empty", "garbage", "truncated"],
)
def test_a_broken_or_missing_results_file_is_no_results(tmp_path, content):
    assert results.load(tmp_path / "missing.results.npz") is None
    path = tmp_path / "broken.results.npz"
    path.write_bytes(content)
    assert results.load(path) is None


def test_results_of_another_version_or_with_objects_are_ignored(tmp_path):
    path = tmp_path / "odd.results.npz"
    np.savez(path, meta=np.array('{"version": 99}'))
    assert results.load(path) is None
    run = a_run(short_brunel(50.0))
    results.save(path, run)
    data = dict(np.load(path))
    data["a0"] = np.array(["text"])  # never an array of objects or strings
    np.savez(path, **data)
    assert results.load(path) is None


def test_the_store_keeps_results_beside_the_project_through_rename_and_delete(tmp_path):
    store = ProjectStore(tmp_path)
    name = store.create(short_brunel(50.0), "net")
    results.save(store.results_path(name), a_run(store.load(name)))
    assert store.results_path(name) == tmp_path / "net.results.npz"
    assert store.names() == ["net"]  # a results file is not a project
    new = store.rename(name, "renamed")
    assert store.results_path(new).is_file() and not (tmp_path / "net.results.npz").exists()
    store.delete(new)
    assert not store.results_path(new).exists()
    results.save(tmp_path / "again.results.npz", a_run(short_brunel(50.0)))  # a stale file
    assert not store.results_path(store.create(short_brunel(50.0), "again")).exists()


def test_the_studio_keeps_the_run_and_a_new_session_shows_it(tmp_path):
    store = ProjectStore(tmp_path)
    name = store.create(short_brunel(), "kept")
    studio = Studio(ProjectSession(store, name))
    studio._work(studio.project, EmbeddedBackend(), 0, store.results_path(name))
    done = [item for _, item in studio._buffer.take() if isinstance(item, tuple)][-1]
    saved = results.load(store.results_path(name))
    assert saved is not None and saved.simulated == 200.0
    spikes = {rid: len(f["times"]) for rid, f in done[2].items() if "times" in f}
    assert {rid: len(saved.events[rid]["times"]) for rid in spikes} == spikes

    again = Studio(ProjectSession(store, name))  # a reload: the same results, at once
    assert again.status.startswith("Last run (finished ")
    assert "kept with the project): 200.0 ms simulated" in again.status
    assert len(again.activity.raster_source.data["x"]) > 0
    assert list(again.activity.stats.value["spikes"]) == list(done[3]["spikes"])


def test_a_broken_results_file_opens_the_project_without_results(tmp_path):
    store = ProjectStore(tmp_path)
    name = store.create(short_brunel(), "broken")
    store.results_path(name).write_bytes(b"PK\x03\x04 half a file")
    studio = Studio(ProjectSession(store, name))
    assert studio.status == "Ready."
    assert len(studio.activity.raster_source.data["x"]) == 0


def test_results_of_an_edited_project_say_so(tmp_path):
    store = ProjectStore(tmp_path)
    name = store.create(short_brunel(50.0), "edited")
    results.save(store.results_path(name), a_run(store.load(name)))
    store.save(name, replace(store.load(name), description="changed after the run"))
    studio = Studio(ProjectSession(store, name))
    assert studio.status.endswith("The project has changed since.")
