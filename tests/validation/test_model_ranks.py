"""Every neuron model gives the same events on 2 and 3 (emulated) MPI ranks as in one process:
the reference cases of tests/data/reference/model_traces.json, run through the slice API the
MPI backend uses (tests/engine/test_ranks.py's emulation)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from spikedesk.engine import _core
from test_nest_model_traces import CASES, MANIFEST, case_model, engine_project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from helpers import assert_rank_invariant  # noqa: E402

SPIKE_CASES = [c for c in CASES if c.endswith("_spikes") or c.endswith("_dc")]


@pytest.mark.parametrize("case", SPIKE_CASES)
def test_ranks_give_the_embedded_events(case: str) -> None:
    entry = MANIFEST["cases"][case]
    model = case_model(entry)
    if model not in _core.models():
        pytest.skip(f"{model} is not implemented by the engine yet")
    assert_rank_invariant(engine_project(entry, model))
