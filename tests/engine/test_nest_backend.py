"""The NEST backend: the same Chunk stream as the embedded engine, from nest-simulator, and
the same numbers where the input leaves no room for chance.

Every example runs on both; mean rates per recorded population agree within 10% (averaged
over a few seeds where the input is random, since the two simulators draw different random
numbers), and where nothing is random the spike counts are equal.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import numpy as np
import pytest
from spikedesk.app.activity import population_stats
from spikedesk.engine import EngineError, merge, stream
from spikedesk.engine.backends import NESTBackend, NESTUnavailableError, nest_available
from spikedesk.engine.backends import nest as nest_backend
from spikedesk.project_files import io
from spikedesk.project_files.project import Project

EXAMPLES = sorted(
    (Path(__file__).resolve().parents[2] / "project_files" / "examples").glob("*.json")
)
needs_nest = pytest.mark.skipif(not nest_available(), reason="nest-simulator is not installed")
SEEDS = (1, 2, 3, 4, 5)  # seeds averaged over where the input is random
MIN_SPIKES = 2000  # per population over all seeds: counting noise about 2%
MAX_DURATION = 30_000.0  # ms


def with_seed(project: Project, seed: int) -> Project:
    return dataclasses.replace(
        project, simulation=dataclasses.replace(project.simulation, seed=seed)
    )


def is_random(project: Project) -> bool:
    """Whether chance plays a part: the embedded engine gives other spikes for another seed
    (no list of random models needed)."""
    a = merge([c.events for c in stream(with_seed(project, 1))])
    b = merge([c.events for c in stream(with_seed(project, 2))])
    return any(not np.array_equal(a[rid][name], b[rid][name]) for rid in a for name in a[rid])


def run(backend, project: Project, chunk: float = 100.0):
    chunks = list(backend.run(project, chunk=chunk))
    events = merge([c.events for c in chunks])
    last = chunks[-1]
    stats = population_stats(events, project, dict(last.node_ids), last.time)
    return chunks, events, stats


class Embedded:
    def run(self, project, *, chunk=100.0, cancel=None):
        return stream(project, chunk=chunk, cancel=cancel)


def with_duration(project: Project, duration: float) -> Project:
    return dataclasses.replace(
        project, simulation=dataclasses.replace(project.simulation, duration=duration)
    )


def spike_counts(backend, project: Project) -> dict[str, int]:
    _, _, stats = run(backend, project, chunk=1000.0)
    return dict(zip(stats["population"], stats["spikes"], strict=True))


@needs_nest
@pytest.mark.nest
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.timeout(900)
def test_every_example_runs_on_nest_with_the_embedded_engines_rates(example):
    """Deterministic input: the same spike counts on both. Random input: the mean rate over
    SEEDS within 10% of NEST's, with the run made long enough that every population fires
    at least MIN_SPIKES spikes over the seeds (so that counting noise, a few percent, cannot
    make the two differ by 10%: one neuron firing 12 spikes varies by 30% from seed to seed)."""
    project = io.load(example)
    if not is_random(project):
        ours, theirs = run(Embedded(), project)[1], run(NESTBackend(), project)[1]
        assert set(ours) == set(theirs)  # the same recorders
        for rid, fields in ours.items():
            if set(fields) == {"senders", "times"}:
                assert len(fields["times"]) == len(theirs[rid]["times"]), rid
                assert len(fields["times"]) > 0, rid
        return
    first = spike_counts(Embedded(), project)
    fewest = max(1, min(first.values()))
    duration = project.simulation.duration * max(1.0, MIN_SPIKES / (fewest * len(SEEDS)))
    duration = float(min(MAX_DURATION, round(duration, -1)))
    ours: dict[str, float] = {}
    theirs: dict[str, float] = {}
    for seed in SEEDS:
        p = with_duration(with_seed(project, seed), duration)
        for pop, count in spike_counts(Embedded(), p).items():
            ours[pop] = ours.get(pop, 0) + count
        for pop, count in spike_counts(NESTBackend(), p).items():
            theirs[pop] = theirs.get(pop, 0) + count
    assert set(ours) == set(theirs)
    for pop in ours:
        assert theirs[pop] > 0, pop
        assert abs(ours[pop] - theirs[pop]) / theirs[pop] < 0.10, (pop, duration, ours, theirs)


@needs_nest
@pytest.mark.nest
def test_chunks_have_the_embedded_layout_and_only_new_events():
    project = io.load(EXAMPLES[0].parent / "brunel.json")
    project = dataclasses.replace(
        project, simulation=dataclasses.replace(project.simulation, duration=200.0)
    )
    nest_chunks, nest_events, _ = run(NESTBackend(), project, chunk=50.0)
    ours, our_events, _ = run(Embedded(), project, chunk=50.0)
    assert [c.time for c in nest_chunks] == [c.time for c in ours] == [50.0, 100.0, 150.0, 200.0]
    assert dict(nest_chunks[-1].node_ids) == dict(ours[-1].node_ids)  # NEST's gids are ours
    assert all(c.duration == 200.0 for c in nest_chunks)
    walls = [c.wall for c in nest_chunks]
    assert walls == sorted(walls) and walls[0] >= 0
    for rid, fields in our_events.items():
        assert set(nest_events[rid]) == set(fields), rid
        for name, values in nest_events[rid].items():
            assert values.dtype == fields[name].dtype, (rid, name)
    # each chunk holds only the events of its own time span
    for before, chunk in zip([None, *nest_chunks[:-1]], nest_chunks, strict=True):
        times = chunk.events["spikes_E"]["times"]
        low = before.time if before is not None else 0.0
        assert np.all((times > low) & (times <= chunk.time + 1e-9))
    total = sum(len(c.events["spikes_E"]["times"]) for c in nest_chunks)
    assert total == len(nest_events["spikes_E"]["times"]) > 0


@needs_nest
@pytest.mark.nest
def test_cancel_stops_a_nest_run_between_chunks():
    project = io.load(EXAMPLES[0].parent / "brunel.json")
    cancel = threading.Event()
    seen = []
    for chunk in NESTBackend().run(project, chunk=10.0, cancel=cancel):
        seen.append(chunk.time)
        cancel.set()
    assert seen == [10.0]
    # the kernel is free again: the next run works
    assert list(
        NESTBackend().run(
            dataclasses.replace(
                project, simulation=dataclasses.replace(project.simulation, duration=20.0)
            ),
            chunk=10.0,
        )
    )


def test_a_missing_nest_is_a_clear_engine_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_nest(name, *args, **kwargs):
        if name == "nest" or name.startswith("nest."):
            raise ImportError("No module named 'nest'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_nest)
    monkeypatch.delitem(__import__("sys").modules, "nest", raising=False)
    project = io.load(EXAMPLES[0].parent / "single_neuron_dc.json")
    with pytest.raises(NESTUnavailableError, match="pip install nest-simulator") as caught:
        NESTBackend().run(project)
    assert isinstance(caught.value, EngineError)


def test_an_invalid_project_is_refused_before_nest_is_touched(monkeypatch):
    monkeypatch.setattr(nest_backend, "import_nest", lambda: pytest.fail("imported NEST"))
    project = io.load(EXAMPLES[0].parent / "single_neuron_dc.json")
    bad = dataclasses.replace(
        project, simulation=dataclasses.replace(project.simulation, resolution=-1.0)
    )
    with pytest.raises(EngineError):
        NESTBackend().run(bad)


def test_run_backend_nest_without_nest_is_a_clear_error(monkeypatch, capsys):
    from spikedesk.app.cli import main

    monkeypatch.setattr(nest_backend, "nest_available", lambda: False)
    assert (
        main(["run", str(EXAMPLES[0].parent / "single_neuron_dc.json"), "--backend", "nest"]) == 1
    )
    err = capsys.readouterr().err
    assert "needs nest-simulator" in err and "pip install nest-simulator" in err
    assert "Traceback" not in err


@needs_nest
@pytest.mark.nest
def test_run_backend_nest_prints_nests_counts_and_writes_its_events(tmp_path, capsys):
    from spikedesk.app.cli import main

    out = tmp_path / "nest.npz"
    path = EXAMPLES[0].parent / "single_neuron_dc.json"
    assert main(["run", str(path), "--backend", "nest", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "simulated on NEST" in text
    assert "spikes: neuron: 6 spikes" in text  # the embedded engine's count too
    saved = np.load(out)
    assert saved["spikes/senders"].dtype == np.int64 and len(saved["spikes/times"]) == 6
