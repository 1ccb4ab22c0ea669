"""The analysis panels' numbers, checked against plain NumPy on a Brunel run."""

from __future__ import annotations

import numpy as np
import pytest
from spikedesk.app import analysis
from spikedesk.app.analysis_view import summarise
from spikedesk.engine import simulate
from spikedesk.project_files import examples_dir, io


@pytest.fixture(scope="module")
def brunel():
    project = io.load(examples_dir() / "brunel.json")
    result = simulate(project, duration=300.0)
    return project, result


def test_populations_are_named_by_label_and_counted_once(brunel):
    project, result = brunel
    pops = analysis.populations(result.events, project, result.node_ids)
    assert [(p.node_id, p.label, p.size) for p in pops] == [("E", "E", 800), ("I", "I", 200)]
    assert len(pops[0].times) == len(result.events["spikes_E"]["times"])


def test_isi_cv_and_counts_match_numpy(brunel):
    project, result = brunel
    pop = analysis.populations(result.events, project, result.node_ids)[0]
    senders, times = pop.senders, pop.times
    isi, _ = analysis.intervals(senders, times)
    expected_isi, expected_cv = [], {}
    for gid in np.unique(senders):
        d = np.diff(np.sort(times[senders == gid]))
        expected_isi += list(d)
        if len(d) > 1:
            expected_cv[int(gid)] = d.std() / d.mean()
    np.testing.assert_allclose(np.sort(isi), np.sort(expected_isi))
    cvs = analysis.cv_per_neuron(senders, times)
    assert cvs.keys() == expected_cv.keys()
    np.testing.assert_allclose([cvs[k] for k in cvs], [expected_cv[k] for k in cvs], rtol=1e-9)
    counts = analysis.counts_per_neuron(pop)
    assert counts.sum() == len(senders) and len(counts) == 800
    assert counts[5] == np.sum(senders == pop.first + 5)


def test_sender_rows_and_summary(brunel):
    project, result = brunel
    summary = summarise(result.events, project, result.node_ids, 300.0)
    rows = summary["senders"]
    assert len(rows["sender"]) == 1000 and rows["population"][0] == "E"
    assert sum(rows["spikes"]) == sum(
        len(result.events[r]["times"]) for r in ("spikes_E", "spikes_I")
    )
    i = rows["sender"].index(3)
    assert rows["rate (spikes/s)"][i] == pytest.approx(rows["spikes"][i] / 0.3, abs=1e-3)
    labels = [label for _, label, _ in summary["panels"]["ISI distribution"]]
    assert labels == ["E", "I"]
    _, label, hist = summary["panels"]["Recorded values"][0]
    assert label == "V_m of E 0-4: V_m"
    assert hist["count"].sum() == len(result.events["vm"]["V_m"])


def test_rate_over_time():
    times = np.array([1.0, 2.0, 6.0, 6.5])
    centres, rate = analysis.rate_over_time(times, size=2, duration=10.0, width=5.0)
    np.testing.assert_allclose(centres, [2.5, 7.5])
    np.testing.assert_allclose(rate, [2 / 2 / 0.005, 2 / 2 / 0.005])


def test_min_max_decimation_keeps_every_peak():
    x = np.arange(100_000) * 0.1
    y = np.sin(x / 50.0)
    y[12_345] = 40.0  # a spike one sample wide
    y[77_777] = -90.0
    dx, dy = analysis.min_max_decimate(x, y, 500)
    assert len(dx) <= 1000
    assert dy.max() == 40.0 and dy.min() == -90.0
    assert np.all(np.diff(dx) > 0)  # still in time order
    small_x, small_y = analysis.min_max_decimate(x[:50], y[:50], 500)
    np.testing.assert_array_equal(small_y, y[:50])


def test_a_live_trace_keeps_its_peaks_chunk_by_chunk():
    x = np.arange(200_000) * 0.1
    y = np.sin(x / 30.0)
    y[54_321] = 35.0
    trace = analysis.LiveTrace(duration=20_000.0, pixels=400)
    for start in range(0, len(x), 500):  # 50 ms chunks
        trace.add(x[start : start + 500], y[start : start + 500])
    lx, ly = trace.line()
    assert len(lx) <= 800 and ly.max() == 35.0 and ly.min() == pytest.approx(-1.0, abs=1e-3)
    assert np.all(np.diff(lx) > 0)
    zx, zy = trace.line((5_000.0, 6_000.0))  # a zoomed window: every sample in it
    assert 5_000.0 - 0.1 <= zx[0] and zx[-1] <= 6_000.0 + 0.1
    assert 35.0 in zy


def test_a_new_run_keeps_the_last_analysis_marked_until_its_own_and_fixes_its_axes(brunel):
    """Between Simulate and a run's first events nothing is cleared in the browser (each
    clearing costs it a layout of the page): the last run's points go with the first new
    ones, its analysis stays marked as the previous run's until the new one ends, and the
    axes span the whole run from the start, so streaming never rescales them."""
    from spikedesk.app.activity import ActivityView
    from spikedesk.app.analysis_view import LAST, NONE_YET, PREVIOUS

    project, result = brunel
    view = ActivityView()
    stats = {"population": ["E"], "spikes": [1]}
    view.start(project)
    view.show(result.events, result.node_ids, 300.0, 300.0)
    summary = summarise(result.events, project, result.node_ids, 300.0)
    view.finish(result.events, stats, 300.0, summary)
    assert view.analysis.hint.object == LAST
    shown = len(view.raster_source.data["x"])
    assert shown > 0

    view.start(project)  # a new run of 1000 ms
    assert view.analysis.hint.object == PREVIOUS
    assert len(view.analysis.sources["ISI distribution"].data["left"]) > 0  # still there
    assert len(view.raster_source.data["x"]) == shown  # until the first new events
    x = view.raster_plot.x_range
    assert (x.start, x.end) == (0.0, project.simulation.duration)
    first = {r: {k: v[:0] for k, v in f.items()} for r, f in result.events.items()}
    view.show(first, result.node_ids, 50.0, 1000.0)  # a first chunk without spikes
    assert len(view.raster_source.data["x"]) == 0
    y = view.raster_plot.y_range
    e, i = result.node_ids["E"], result.node_ids["I"]
    assert (y.start, y.end) == (min(e[0], i[0]) - 0.5, max(e[0] + e[1], i[0] + i[1]) - 0.5)

    view.reset(project)  # another project opened: nothing of the last run stays
    assert view.analysis.hint.object == NONE_YET
    assert len(view.analysis.sources["ISI distribution"].data["left"]) == 0
    assert view.stats.value is None
