"""Population statistics shared by the Brunel validation test and its NEST generator
(tools/reference/brunel_spread.py), so both compute exactly the same numbers.

Choices (documented in docs/benchmarks.md and the manifest):
- rate: spikes / (neurons x duration) over the whole run, in spikes/s;
- CV of ISI: per neuron with at least 3 spikes in [t_skip, T), mean over those neurons;
- Fano factor: population spike counts in 5 ms bins over [t_skip, T), variance / mean.
``t_skip`` (100 ms) drops the start transient from V_m(0) = 0.
"""

from __future__ import annotations

import copy

import numpy as np

BIN_MS = 5.0
T_SKIP_MS = 100.0


def population_stats(
    senders: np.ndarray, times: np.ndarray, first_gid: int, size: int, duration: float
) -> dict[str, float]:
    """Rate, mean CV of ISI and population Fano factor of one population's spikes."""
    senders = np.asarray(senders, dtype=np.int64)
    times = np.asarray(times, dtype=np.float64)
    mine = (senders >= first_gid) & (senders < first_gid + size)
    senders, times = senders[mine], times[mine]
    rate = len(times) / size / (duration / 1000.0)
    late = times >= T_SKIP_MS
    s_late, t_late = senders[late], times[late]
    order = np.lexsort((t_late, s_late))
    s_sorted, t_sorted = s_late[order], t_late[order]
    cvs = []
    bounds = np.flatnonzero(np.diff(s_sorted)) + 1
    for chunk in np.split(t_sorted, bounds):
        if len(chunk) >= 3:
            isi = np.diff(chunk)
            cvs.append(isi.std() / isi.mean())
    edges = np.arange(T_SKIP_MS, duration + 1e-9, BIN_MS)
    counts, _ = np.histogram(t_late, bins=edges)
    fano = counts.var() / counts.mean() if counts.mean() > 0 else float("nan")
    return {
        "rate": float(rate),
        "cv_isi": float(np.mean(cvs)) if cvs else float("nan"),
        "fano": float(fano),
    }


def populations(data: dict) -> tuple[str, str]:
    """(E, I) node ids: the two iaf_psc_delta populations, larger one excitatory."""
    pops = [n for n in data["nodes"] if n["model"] == "iaf_psc_delta"]
    pops.sort(key=lambda n: -n["size"])
    return pops[0]["id"], pops[1]["id"]


def with_recorders(data: dict) -> dict:
    data = copy.deepcopy(data)
    for pop in populations(data):
        rec = f"validation_spikes_{pop}"
        data["nodes"].append({"id": rec, "model": "spike_recorder", "size": 1, "params": {}})
        data["connections"].append(
            {
                "id": f"{pop}->{rec}",
                "source": pop,
                "target": rec,
                "rule": {"rule": "all_to_all", "params": {}},
                "synapse": {"model": "static_synapse", "weight": 1.0, "delay": 1.0},
            }
        )
    return data
