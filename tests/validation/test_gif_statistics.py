"""gif_psc_exp and gif_cond_exp against NEST's escape-noise statistics.

Their spikes are random (one uniform per neuron and step decides), so spike trains cannot match
NEST's; model_traces.json holds NEST's statistics of 200 neurons under a dc_generator for 5 s
(``statistics.<gif>_statistics`` with default parameters, ``_adapting`` with spike-frequency
adaptation and a spike-triggered current). The engine's run of the same project must agree
within the sampling spread of two independent runs of 200 neurons:

- mean of the per-neuron rates: within 4 standard errors,
  SE = sqrt(sd_nest^2 + sd_ours^2) / sqrt(n);
- standard deviation of the per-neuron rates: within 4 standard errors of a sample standard
  deviation, SE = sqrt(sd_nest^2 + sd_ours^2) / sqrt(2 (n - 1));
- mean CV of ISI: within 4 standard errors, SE = sqrt(2) sd(CV) / sqrt(n), sd(CV) the spread of
  the engine's per-neuron CVs (NEST's is not stored; the same model gives the same spread).

For the default case 4 SE is about 5% of the mean rate (0.24 of 4.35 spikes/s); a hazard off by
10% (lambda_0 1.1 /s instead of 1 /s) moves the mean rate by about 0.27 spikes/s, one off by 20%
by about 0.5 spikes/s (the test below checks that the latter fails).
The 'weak' neuron of the ``<gif>_dc`` cases never spikes (its hazard is about 1e-20 per ms), so
its trace is deterministic and is compared with NEST's exactly; the strong neuron is compared
up to its first spike. Spikes do not depend on the number of threads.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from spikedesk.engine import simulate
from validation_projects import REFERENCE, build_project, load_manifest, sorted_fields

MANIFEST = load_manifest("model_traces.json")
STATISTICS = MANIFEST["statistics"]
MODELS = ("gif_psc_exp", "gif_cond_exp")
CASES = [f"{m}_statistics{s}" for m in MODELS for s in ("", "_adapting")]


def train_stats(times: np.ndarray, senders: np.ndarray, first: int, n: int, t: float) -> dict:
    """As tools/reference/make_model_traces.py: rates per neuron over [0, t) ms, mean CV of
    ISI over neurons with more than 2 ISIs."""
    counts = np.bincount(senders - first, minlength=n)
    rates = counts / (t / 1000.0)
    cvs = []
    for s in np.unique(senders):
        isi = np.diff(np.sort(times[senders == s]))
        if len(isi) > 2:
            cvs.append(isi.std() / isi.mean())
    return {
        "mean_rate": float(rates.mean()),
        "std_rate": float(rates.std()),
        "mean_cv_isi": float(np.mean(cvs)),
        "sd_cv_isi": float(np.std(cvs)),
        "n_cv": len(cvs),
    }


def run_statistics(case: str, threads: int = 1, duration: float | None = None, seed=None):
    data = copy.deepcopy(STATISTICS[case]["project"])
    if duration is not None:
        data["simulation"]["duration"] = duration
    if seed is not None:
        data["simulation"]["seed"] = seed
    results = simulate(build_project(data), threads=threads)
    ev = results.events["spikes"]
    first, n = results.node_ids["pop"]
    return np.asarray(ev["times"]), np.asarray(ev["senders"]), first, n


@pytest.mark.parametrize("case", CASES)
def test_escape_noise_statistics_match_nest(case: str) -> None:
    nest = STATISTICS[case]["nest"]
    n, duration = nest["n_neurons"], nest["t_stop"] - nest["t_start"]
    times, senders, first, size = run_statistics(case)
    assert size == n
    ours = train_stats(times, senders, first, n, duration)
    sd2 = nest["std_rate"] ** 2 + ours["std_rate"] ** 2
    se_mean = math.sqrt(sd2 / n)
    se_std = math.sqrt(sd2 / (2 * (n - 1)))
    se_cv = math.sqrt(2.0) * ours["sd_cv_isi"] / math.sqrt(ours["n_cv"])
    report = f"{case}: engine {ours}, NEST {nest}"
    assert abs(ours["mean_rate"] - nest["mean_rate"]) <= 4 * se_mean, report
    assert abs(ours["std_rate"] - nest["std_rate"]) <= 4 * se_std, report
    assert abs(ours["mean_cv_isi"] - nest["mean_cv_isi"]) <= 4 * se_cv, report
    # the bound must be tight enough to matter (about 5% of the rate)
    assert 4 * se_mean < 0.07 * nest["mean_rate"]


def test_a_wrong_hazard_fails_the_rate_bound() -> None:
    # the same check with lambda_0 = 1.2 /s (hazard 20% too high) must fail
    case = "gif_psc_exp_statistics"
    nest = STATISTICS[case]["nest"]
    data = copy.deepcopy(STATISTICS[case]["project"])
    data["nodes"][0]["params"]["lambda_0"] = 1.2
    results = simulate(build_project(data))
    ev = results.events["spikes"]
    first, n = results.node_ids["pop"]
    ours = train_stats(np.asarray(ev["times"]), np.asarray(ev["senders"]), first, n, 5000.0)
    se_mean = math.sqrt((nest["std_rate"] ** 2 + ours["std_rate"] ** 2) / n)
    assert abs(ours["mean_rate"] - nest["mean_rate"]) > 4 * se_mean, ours


@pytest.mark.parametrize("model", MODELS)
def test_spikes_are_the_same_for_1_2_4_threads(model: str) -> None:
    case = f"{model}_statistics_adapting"
    runs = [run_statistics(case, threads, duration=1000.0, seed=7) for threads in (1, 2, 4)]
    t0, s0 = runs[0][0], runs[0][1]
    assert len(t0) > 1000
    order0 = np.lexsort((t0, s0))
    for times, senders, _, _ in runs[1:]:
        order = np.lexsort((times, senders))
        np.testing.assert_array_equal(senders[order], s0[order0])
        np.testing.assert_array_equal(times[order], t0[order0])
    other = run_statistics(case, 1, duration=1000.0, seed=8)
    assert len(other[0]) != len(t0) or not np.array_equal(other[0], t0), "seed must matter"


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE / "model_traces.npz") as data:
        return {key: data[key] for key in data.files}


@pytest.mark.parametrize("model", MODELS)
def test_dc_case_traces_before_any_escape_spike(model: str, reference: dict) -> None:
    case = f"{model}_dc"
    entry = MANIFEST["cases"][case]
    project = build_project(entry["project"])
    results = simulate(project)
    got = sorted_fields(results.events["mm"])
    prefix = f"{case}/mm/"
    want = {k[len(prefix) :]: v for k, v in reference.items() if k.startswith(prefix)}
    want = sorted_fields(want)
    keep = got["times"] <= want["times"].max() + 1e-9
    got = {k: v[keep] for k, v in got.items()}
    np.testing.assert_array_equal(got["senders"], want["senders"])
    np.testing.assert_allclose(got["times"], want["times"], atol=1e-9)
    spikes_ours = results.events["spikes"]
    spikes_nest = {
        k[len(f"{case}/spikes/") :]: v
        for k, v in reference.items()
        if k.startswith(f"{case}/spikes/")
    }
    strong, _ = entry["node_ids"]["strong"]
    weak, _ = entry["node_ids"]["weak"]
    assert not np.any(np.asarray(spikes_ours["senders"]) == results.node_ids["weak"][0])
    assert not np.any(spikes_nest["senders"] == weak)
    first_spike = min(
        np.asarray(spikes_ours["times"]).min(),
        spikes_nest["times"][spikes_nest["senders"] == strong].min(),
    )
    # the multimeter's sample at t shows the state after the step ending at t
    same = (got["senders"] == weak) | (got["times"] < first_spike - 1e-9)
    assert same.sum() > len(got["times"]) // 2
    # exact integration (psc) and the re-implemented rkf45 scheme (cond) agree to rounding
    for name in entry["recordables"]:
        if name in got:
            np.testing.assert_allclose(
                got[name][same], want[name][same], rtol=1e-9, atol=1e-9, err_msg=name
            )
