"""Malformed NEST Desktop files: the importer only ever raises ``ProjectError``, every problem
names its project (and the node, connection or parameter), and it never hits its own
internal-error safety net. Hand-made cases for each traceback found before, then a hypothesis
fuzzer mutating the shipped NEST Desktop examples (types swapped, keys deleted, numbers made
huge/NaN/strings, lists nested)."""

from __future__ import annotations

import copy
import json
import math
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spikedesk.project_files import io, nest_desktop
from spikedesk.project_files.validation import ProjectError

DATA = Path(__file__).resolve().parents[1] / "data" / "nest_desktop"
KEEP = ("name", "version", "network", "simulation")  # what the importer reads


def _fixtures() -> list[dict]:
    out = []
    for path in sorted(DATA.glob("*/*.json")):
        for raw in nest_desktop.projects_in(json.loads(path.read_text())):
            out.append({k: raw[k] for k in KEEP if k in raw})
    return out


FIXTURES = _fixtures()
BASE = {
    "name": "probe",
    "simulation": {"kernel": {"resolution": 0.1, "rngSeed": 1, "localNumThreads": 1},
                   "time": 100},
    "network": {
        "nodes": [
            {"model": "poisson_generator", "params": [{"id": "rate", "value": 8000}]},
            {"model": "iaf_psc_alpha", "size": 10, "params": [{"id": "I_e", "value": 5}]},
            {"model": "spike_recorder"},
        ],
        "connections": [
            {"source": 0, "target": 1, "synapse": {"params": [{"id": "weight", "value": 5}]}},
            {"source": 1, "target": 2},
        ],
    },
}  # fmt: skip


def check(data) -> list:
    """Import ``data``; returns the projects, or [] when refused (with a good message)."""
    try:
        projects = nest_desktop.import_data(data, source="fuzz.json")
    except ProjectError as exc:
        text = str(exc)
        assert text.startswith("fuzz.json: ")
        assert nest_desktop.INTERNAL not in text, text
        for problem in exc.problems:
            assert problem.path.startswith("project ") or "no NEST Desktop project" in str(
                problem
            ), problem
        return []
    for project in projects:
        assert io.loads(io.dumps(project)) == project
    return projects


def mutated(path: list, value) -> dict:
    data = copy.deepcopy(BASE)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


DELETE = object()
N = ["network"]
HAND_MADE = {
    "network is a list": (N, []),
    "network is a number": (N, 5),
    "nodes is an object": (N + ["nodes"], {"a": 1}),
    "a node is a string": (N + ["nodes", 1], "iaf_psc_alpha"),
    "params is 5": (N + ["nodes", 1, "params"], 5),
    "a param is a list": (N + ["nodes", 1, "params", 0], [1, 2]),
    "param id is a number": (N + ["nodes", 1, "params", 0, "id"], 3),
    "missing value": (N + ["nodes", 1, "params", 0, "value"], DELETE),
    "value is an object": (N + ["nodes", 1, "params", 0, "value"], {"x": 1}),
    "value is NaN": (N + ["nodes", 1, "params", 0, "value"], math.nan),
    "value is 10**400": (N + ["nodes", 1, "params", 0, "value"], 10**400),
    "value is 5,000 digits": (N + ["nodes", 1, "params", 0, "value"], "1" * 5000),
    "value is nested lists": (N + ["nodes", 1, "params", 0, "value"], [[[1]]]),
    "size x": (N + ["nodes", 1, "size"], "x"),
    "size Infinity": (N + ["nodes", 1, "size"], "Infinity"),
    "size inf": (N + ["nodes", 1, "size"], math.inf),
    "size 1e300": (N + ["nodes", 1, "size"], 1e300),
    "size negative": (N + ["nodes", 1, "size"], -3),
    "size 2.5": (N + ["nodes", 1, "size"], 2.5),
    "model is a list": (N + ["nodes", 1, "model"], ["iaf_psc_alpha"]),
    "view is a string": (N + ["nodes", 1, "view"], "x"),
    "source is a string": (N + ["connections", 0, "source"], "x"),
    "source negative": (N + ["connections", 0, "source"], -1),
    "source out of range": (N + ["connections", 0, "source"], 99),
    "source is true": (N + ["connections", 0, "source"], True),
    "rule is a list": (N + ["connections", 0, "rule"], ["all_to_all"]),
    "rule is unknown": (N + ["connections", 0, "rule"], "gaussian"),
    "synapse is a list": (N + ["connections", 0, "synapse"], [1]),
    "synapse model is a number": (N + ["connections", 0, "synapse", "model"], 3),
    "weight is a string": (N + ["connections", 0, "synapse", "params", 0, "value"], "heavy"),
    "models is a dict": (N + ["models"], {"new": "x"}),
    "a copy model without names": (N + ["models"], [{"params": []}]),
    "copy models in a circle": (N + ["models"], [{"existing": "a", "new": "b"},
                                                 {"existing": "b", "new": "a"}]),
    "simulation is a list": (["simulation"], [1]),
    "time is a string": (["simulation", "time"], "long"),
    "time is 1e308": (["simulation", "time"], 1e308),
    "resolution is 1e-300": (["simulation", "kernel", "resolution"], 1e-300),
    "seed is 2**64": (["simulation", "kernel", "rngSeed"], 2**64),
    "threads is 2**31": (["simulation", "kernel", "localNumThreads"], 2**31),
    "kernel is a number": (["simulation", "kernel"], 1),
    "name is a number": (["name"], 7),
}  # fmt: skip


@pytest.mark.parametrize("case", HAND_MADE, ids=list(HAND_MADE))
def test_each_malformed_value_is_a_project_error_naming_where(case):
    path, value = HAND_MADE[case]
    check(mutated(path, value))


def _ranged(kind: str, specs: list[tuple[str, object]]) -> dict:
    data = copy.deepcopy(BASE)
    param = {"id": "I_e", "type": {"id": kind, "specs": [{"id": k, "value": v} for k, v in specs]}}
    data["network"]["nodes"][1]["params"] = [param]
    return data


@pytest.mark.parametrize(
    "kind, specs",
    [
        ("np.arange", [("start", 0), ("stop", 10), ("step", 0)]),
        ("np.arange", [("start", 0), ("stop", 1e12), ("step", 1e-3)]),
        ("np.arange", [("start", 0), ("stop", "x")]),
        ("np.arange", [("start", 0)]),
        ("np.linspace", [("start", 0), ("stop", 1), ("num", 1e9)]),
        ("np.linspace", [("start", 0), ("stop", 1), ("num", -2)]),
        ("np.linspace", [("start", 0), ("stop", 1), ("num", math.nan)]),
        ("random.normal", [("mean", 0)]),
        ("random.gamma", [("k", 1)]),
    ],
)
def test_value_generators_with_bad_specs_are_refused(kind, specs):
    with pytest.raises(ProjectError, match=r"project 'probe' > nodes\[1\]\.params\.I_e"):
        nest_desktop.import_data(_ranged(kind, specs), "fuzz.json")


def test_the_hand_made_base_imports():
    (project,) = check(copy.deepcopy(BASE))
    assert [n.model for n in project.nodes][1] == "iaf_psc_alpha"


def test_a_copy_model_of_an_unknown_model_is_one_problem_where_it_is_used():
    """Found by the fuzzer: NEST Desktop's tsodyks example with its copy model's base turned
    into 'x' raised a KeyError inside the importer (reported as an internal error)."""
    path = (
        Path(__file__).resolve().parents[1] / "data/nest_desktop/3x/plasticity_tsodyks_synapse.json"
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    (raw,) = nest_desktop.projects_in(data)
    (copy_model,) = [m for m in raw["network"]["models"] if m["new"] == "tsodyks_fac"]
    copy_model["existing"] = "x"
    assert check(data) == []  # refused with project errors only, none internal
    with pytest.raises(ProjectError) as refused:
        nest_desktop.import_data(data, source="fuzz.json")
    assert [p.message for p in refused.value.problems] == [
        "synapse model 'x' is not supported by spikedesk"
    ]


# ---------------------------------------------------------------- the fuzzer
HOSTILE = st.sampled_from(
    [None, 0, -1, 5, 2.5, 1e308, -1e308, 10**400, math.nan, math.inf, "x", "", "Infinity",
     "NaN", "1e999", "1" * 5000, True, [], {}, [[1]], [[[]]], {"id": "x"}, [None], "weight"]
)  # fmt: skip


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:8]):
            yield from _paths(item, (*prefix, index))


def _mutate(data, path, how, hostile):
    if not path:
        return hostile if how != "wrap" else [data]
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    key, old = path[-1], parent[path[-1]]
    if how == "delete" and isinstance(parent, dict):
        del parent[key]
    elif how == "wrap":
        parent[key] = [old]
    elif how == "swap" and isinstance(old, dict):
        parent[key] = list(old.values())
    elif how == "swap" and isinstance(old, list):
        parent[key] = {str(i): v for i, v in enumerate(old)}
    elif how == "number" and isinstance(old, (int, float)) and not isinstance(old, bool):
        parent[key] = str(old) if hostile is None else hostile
    else:
        parent[key] = hostile
    return data


@st.composite
def mutants(draw):
    data = copy.deepcopy(draw(st.sampled_from(FIXTURES + [BASE])))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(data))
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["delete", "replace", "wrap", "swap", "number"]))
        data = _mutate(data, path, how, copy.deepcopy(draw(HOSTILE)))
    return data


# SPIKEDESK_FUZZ_EXAMPLES=100000 for a release run (about 20 minutes; 20,000 took 226 s)
@settings(
    max_examples=int(os.environ.get("SPIKEDESK_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(mutants())
def test_fuzzed_nest_desktop_files_only_ever_give_project_errors(data):
    check(data)
