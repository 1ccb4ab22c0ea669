"""Property-based fuzzing (hypothesis) of loading, validation and short simulations: mutated
example projects, mutated text and random projects give a ``ProjectError`` or a project that
saves, loads and simulates (or is refused with an ``EngineError``) in a worker process, so a
crash or hang is caught. ``tools/fuzz.py --cases 100000`` is the long run for releases."""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("spikedesk_fuzz", ROOT / "tools" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["spikedesk_fuzz"] = fuzz
_spec.loader.exec_module(fuzz)

BASES = list(fuzz.examples().values())
FAST = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def runner():
    r = fuzz.Runner()
    yield r
    r.close()


@FAST
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 5))
def test_mutated_examples_load_or_are_refused(seed, count):
    rng = random.Random(seed)
    fuzz.check_load(json.dumps(fuzz.mutate(rng.choice(BASES), rng, count)))


@FAST
@given(seed=st.integers(0, 2**32 - 1))
def test_mutated_text_loads_or_is_refused(seed):
    rng = random.Random(seed)
    fuzz.check_load(fuzz.mutate_text(json.dumps(rng.choice(BASES)), rng))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
MODELS = st.sampled_from([
    "iaf_psc_alpha", "poisson_generator", "spike_recorder", "voltmeter", "spike_generator",
    "aeif_cond_alpha", "parrot_neuron", "nope",
])  # fmt: skip


@st.composite
def random_projects(draw):
    nodes = [
        {"id": f"n{i}", "model": draw(MODELS), "size": draw(st.integers(-2, 20) | JSON),
         "params": draw(st.dictionaries(st.sampled_from(["V_m", "rate", "interval", "tau_m",
                        "spike_times", "record_from", "I_e"]), JSON, max_size=2))}
        for i in range(draw(st.integers(0, 4)))
    ]  # fmt: skip
    ids = [n["id"] for n in nodes] or ["x"]
    conns = [
        {"id": f"c{i}", "source": draw(st.sampled_from(ids)), "target": draw(st.sampled_from(ids)),
         "rule": draw(st.sampled_from([{}, {"rule": "one_to_one"},
                       {"rule": "fixed_indegree", "indegree": draw(st.integers(-1, 5))}]) | JSON),
         "synapse": {"weight": draw(st.floats(-1e3, 1e3) | JSON), "delay": draw(st.floats(0, 10))}}
        for i in range(draw(st.integers(0, 4)))
    ]  # fmt: skip
    sim = draw(st.fixed_dictionaries({}, optional={
        "duration": st.floats(0, 20) | JSON, "resolution": st.sampled_from([0.1, 0.01, 1e-300]),
        "threads": st.integers(-1, 3) | JSON, "seed": st.integers(-1, 2**33)}))  # fmt: skip
    return {"format": "spikedesk-project", "version": 1, "simulation": sim, "nodes": nodes,
            "connections": conns}  # fmt: skip


@FAST
@given(random_projects())
def test_random_projects_load_or_are_refused(data):
    fuzz.check_load(json.dumps(data))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1))
def test_valid_mutants_simulate_without_crash_or_hang(runner, seed):
    rng = random.Random(seed)
    for _ in range(20):  # find a mutant that validates
        text = json.dumps(fuzz.mutate(rng.choice(BASES), rng, rng.randint(1, 3)))
        if fuzz.check_load(text) is not None:
            assert runner.run(text, timeout=60).startswith(("ran", "refused"))
            return


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(random_projects())
def test_valid_random_projects_simulate_without_crash_or_hang(runner, data):
    text = json.dumps(data)
    if fuzz.check_load(text) is not None:
        assert runner.run(text, timeout=60).startswith(("ran", "refused"))
