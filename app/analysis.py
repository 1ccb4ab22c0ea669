"""Spike-train and trace statistics per population, as NEST Desktop's activity explorer
shows them: population rate over time, ISI and CV-of-ISI distributions, per-neuron spike
counts and rates, one row per neuron (sender), histograms of recorded variables, and the
min/max decimation that keeps a trace's shape with a few points per pixel.

Plain NumPy on whole runs (no Panel, no Bokeh), so the worker thread computes everything and
the tests check the numbers directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spikedesk.project_files import catalog
from spikedesk.project_files.project import Project


@dataclass(frozen=True)
class Population:
    """The spikes of one recorded population: ``senders`` are global ids
    ``first .. first + size - 1``."""

    node_id: str
    label: str
    first: int
    size: int
    senders: np.ndarray
    times: np.ndarray


def populations(events: dict, project: Project, node_ids: dict) -> list[Population]:
    """Each population some spike recorder records, in node order, with its spikes (from
    the first recorder that records it, so a population is never counted twice)."""
    recorders = {
        n.id for n in project.nodes if catalog.model(project.base_model(n.model)).is_spike_recorder
    }
    source_of: dict[str, str] = {}
    for conn in project.connections:
        if conn.target in recorders and conn.source not in source_of:
            source_of[conn.source] = conn.target
    out = []
    for node in project.nodes:
        if node.id not in source_of or node.id not in node_ids:
            continue
        fields = events.get(source_of[node.id], {})
        senders = np.asarray(fields.get("senders", np.empty(0, dtype=np.int64)))
        times = np.asarray(fields.get("times", np.empty(0)))
        first, size = node_ids[node.id]
        mask = (senders >= first) & (senders < first + size)
        out.append(
            Population(node.id, node.label or node.id, first, size, senders[mask], times[mask])
        )
    return out


def intervals(senders: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inter-spike intervals of every neuron and the neuron (sender) of each."""
    order = np.lexsort((times, senders))
    s, t = senders[order], times[order]
    same = s[1:] == s[:-1]
    return np.diff(t)[same], s[1:][same]


def cv_per_neuron(senders: np.ndarray, times: np.ndarray) -> dict[int, float]:
    """std/mean of each neuron's ISIs (population std), for neurons with >= 2 intervals."""
    isi, who = intervals(senders, times)
    if len(isi) == 0:
        return {}
    ids, index = np.unique(who, return_inverse=True)
    n = np.bincount(index).astype(float)
    mean = np.bincount(index, isi) / n
    var = np.maximum(np.bincount(index, isi * isi) / n - mean * mean, 0.0)
    ok = (n > 1) & (mean > 0)
    return {int(i): float(c) for i, c in zip(ids[ok], np.sqrt(var[ok]) / mean[ok], strict=True)}


def counts_per_neuron(pop: Population) -> np.ndarray:
    """Spikes of each neuron of the population (silent neurons count 0)."""
    return np.bincount(pop.senders - pop.first, minlength=pop.size)[: pop.size]


def rate_over_time(times: np.ndarray, size: int, duration: float, width: float):
    """Bin centres and the population rate (spikes/s per neuron) in bins of ``width`` ms."""
    edges = np.arange(0.0, duration + width, width)
    counts, _ = np.histogram(times, bins=edges)
    return edges[:-1] + width / 2, counts / max(size, 1) / (width / 1000.0)


def histogram(values: np.ndarray, bins: int = 30, value_range=None) -> dict[str, np.ndarray]:
    """Left and right bin edges and counts (empty for no values)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return {"left": np.empty(0), "right": np.empty(0), "count": np.empty(0)}
    low, high = float(values.min()), float(values.max())
    if value_range is None and high - low <= 1e-9 * max(1.0, abs(high)):  # all (nearly) equal
        value_range = (low - 0.5, high + 0.5)
    counts, edges = np.histogram(values, bins=bins, range=value_range)
    return {"left": edges[:-1], "right": edges[1:], "count": counts.astype(float)}


def sender_rows(pops: list[Population], duration: float) -> dict[str, list]:
    """One row per neuron of every recorded population: label, sender id, spikes, rate,
    mean ISI and CV of ISI (NaN without enough spikes)."""
    rows: dict[str, list] = {
        "population": [], "sender": [], "spikes": [], "rate (spikes/s)": [],
        "mean ISI (ms)": [], "CV ISI": [],
    }  # fmt: skip
    seconds = duration / 1000.0 if duration > 0 else float("nan")
    for pop in pops:
        counts = counts_per_neuron(pop)
        cvs = cv_per_neuron(pop.senders, pop.times)
        isi, who = intervals(pop.senders, pop.times)
        sums = np.bincount(who - pop.first, isi, minlength=pop.size)[: pop.size]
        n_isi = np.bincount(who - pop.first, minlength=pop.size)[: pop.size]
        for i in range(pop.size):
            gid = pop.first + i
            rows["population"].append(pop.label)
            rows["sender"].append(gid)
            rows["spikes"].append(int(counts[i]))
            rows["rate (spikes/s)"].append(round(float(counts[i] / seconds), 3))
            mean = sums[i] / n_isi[i] if n_isi[i] else float("nan")
            rows["mean ISI (ms)"].append(round(float(mean), 3))
            rows["CV ISI"].append(round(cvs.get(gid, float("nan")), 3))
    return rows


def min_max_decimate(x: np.ndarray, y: np.ndarray, pixels: int) -> tuple[np.ndarray, np.ndarray]:
    """At most about ``2 * pixels`` points of the trace (x sorted, evenly sampled as a
    recorder samples) that keep its shape: in each of ``pixels`` runs of equal length the
    smallest and the largest y, in time order. Spikes and troughs stay; a trace that already
    fits is returned unchanged. Vectorised: a long trace takes milliseconds."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    if n <= 2 * pixels:
        return x, y
    k = -(-n // pixels)  # samples per run
    m = n // k * k
    runs = y[:m].reshape(-1, k)
    starts = np.arange(0, m, k)
    keep = [starts + runs.argmin(axis=1), starts + runs.argmax(axis=1)]
    if m < n:  # the shorter last run
        keep += [np.array([m + int(np.argmin(y[m:])), m + int(np.argmax(y[m:]))])]
    index = np.unique(np.concatenate(keep))
    return x[index], y[index]


class LiveTrace:
    """One recorded trace growing chunk by chunk, drawn min/max-decimated over the run's
    whole duration in ``pixels`` bins: each chunk updates its bins only (constant work per
    update however long the run), and every sample is kept for a redraw of a zoomed window."""

    def __init__(self, duration: float, pixels: int) -> None:
        self.pixels = pixels
        self.width = max(duration, 1e-9) / pixels
        self.low = np.full(pixels, np.inf)
        self.low_t = np.full(pixels, np.nan)
        self.high = np.full(pixels, -np.inf)
        self.high_t = np.full(pixels, np.nan)
        self._x: list[np.ndarray] = []
        self._y: list[np.ndarray] = []

    def add(self, x: np.ndarray, y: np.ndarray) -> None:
        if len(x) == 0:
            return
        self._x.append(np.asarray(x, dtype=float))
        self._y.append(np.asarray(y, dtype=float))
        bins = np.clip((self._x[-1] / self.width).astype(np.int64), 0, self.pixels - 1)
        order = np.lexsort((self._y[-1], bins))
        b, xs, ys = bins[order], self._x[-1][order], self._y[-1][order]
        first = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
        last = np.r_[first[1:] - 1, len(b) - 1]
        for where, t, v, better in (
            (b[first], xs[first], ys[first], np.less),
            (b[last], xs[last], ys[last], np.greater),
        ):
            target, target_t = (
                (self.low, self.low_t) if better is np.less else (self.high, self.high_t)
            )
            take = better(v, target[where])
            target[where[take]], target_t[where[take]] = v[take], t[take]

    def samples(self) -> tuple[np.ndarray, np.ndarray]:
        if len(self._x) > 1:  # one array each from now on
            self._x, self._y = [np.concatenate(self._x)], [np.concatenate(self._y)]
        return (self._x[0], self._y[0]) if self._x else (np.empty(0), np.empty(0))

    def line(self, window: tuple[float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The points to draw: the bins' minima and maxima in time order, or, for a zoomed
        ``window``, every sample in it decimated afresh."""
        if window is not None:
            x, y = self.samples()
            lo, hi = np.searchsorted(x, window)
            x, y = x[max(lo - 1, 0) : hi + 1], y[max(lo - 1, 0) : hi + 1]
            return min_max_decimate(x, y, self.pixels)
        seen = np.isfinite(self.low)
        t = np.concatenate([self.low_t[seen], self.high_t[seen]])
        v = np.concatenate([self.low[seen], self.high[seen]])
        t, index = np.unique(t, return_index=True)
        return t, v[index]
