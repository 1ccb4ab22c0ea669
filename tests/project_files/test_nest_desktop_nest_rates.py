"""Every imported NEST Desktop example fires as it does on NEST: each project runs on spikedesk
and, through its PyNEST export, on NEST over a few seeds; each recorded population's mean rate
agrees within max(3 x the seed spread, a small floor). NEST is a test oracle only."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from spikedesk.engine import _core, simulate
from spikedesk.project_files import catalog, nest_desktop, pynest
from spikedesk.project_files.project import Connection, Node

DATA = Path(__file__).resolve().parents[1] / "data" / "nest_desktop"
SEEDS = (11, 12, 13)
MAX_DURATION = 5000.0  # ms; longer runs are cut (both sides alike); no example is longer
FLOOR_HZ = 0.5  # spikes/s, and
FLOOR_REL = 0.05  # of NEST's rate: the tolerance when the seeds barely spread


def nest_available() -> bool:
    """Whether nest-simulator is installed, without importing it here: NEST must be imported
    by the thread that calls it (the NEST backend's own thread in the app's tests)."""
    return importlib.util.find_spec("nest") is not None


def _cases() -> list:
    out = []
    for path in sorted(DATA.glob("*/*.json")):
        found = nest_desktop.read(json.loads(path.read_text()), str(path))
        for number, item in enumerate(found):
            if item.project is not None:
                out.append(
                    pytest.param(path, number, id=f"{path.parent.name}/{path.stem}#{number}")
                )
    return out


def _recorded(project):
    """``project`` with one spike recorder per neuron population (appended, so global ids stay
    as they are): every example is compared, also those that only record voltages."""
    nodes, connections = list(project.nodes), list(project.connections)
    for node in project.nodes:
        if catalog.model(project.base_model(node.model)).kind == "neuron":
            rec = Node(id=f"zzrec{node.id}", model="spike_recorder")
            nodes.append(rec)
            connections.append(Connection(id=f"zzrec{node.id}", source=node.id, target=rec.id))
    return dataclasses.replace(project, nodes=tuple(nodes), connections=tuple(connections))


def _rates(project, senders_of) -> dict[str, float]:
    """Rate (spikes/s) of every neuron population, from the recorders ``_recorded`` added."""
    first, gid = {}, 1
    for node in project.nodes:
        first[node.id], gid = gid, gid + node.size
    out = {}
    for pop in project.nodes:
        if catalog.model(project.base_model(pop.model)).kind != "neuron":
            continue
        senders = np.asarray(senders_of(f"zzrec{pop.id}"), dtype=np.int64)
        mine = (senders >= first[pop.id]) & (senders < first[pop.id] + pop.size)
        out[pop.id] = float(mine.sum()) / pop.size / (project.simulation.duration / 1000.0)
    return out


def _with_seed(project, seed: int):
    sim = project.simulation
    duration = min(sim.duration, MAX_DURATION)
    return dataclasses.replace(
        project, simulation=dataclasses.replace(sim, seed=seed, duration=duration, threads=1)
    )


RUNNER = """
import sys
for number, path in enumerate(sys.argv[1:]):
    print("@@ seed", number)
    exec(compile(open(path).read(), path, "exec"), {"__name__": "__main__"})
"""


@pytest.mark.nest
@pytest.mark.skipif(not nest_available(), reason="nest-simulator is not installed")
@pytest.mark.parametrize("path, number", _cases())
def test_imported_project_rates_match_nest(path, number, tmp_path):
    project = nest_desktop.read(json.loads(path.read_text()), str(path))[number].project
    used = {project.base_model(n.model) for n in project.nodes}
    used |= {project.base_model(c.synapse.model) for c in project.connections}
    lacking = sorted(used - set(_core.models()) - {"static_synapse"})
    if lacking:
        pytest.skip(f"engine has no {', '.join(lacking)} (issue 10, lead)")
    runs = [_with_seed(_recorded(project), seed) for seed in SEEDS]
    results = [simulate(p) for p in runs]
    pairs = zip(runs, results, strict=True)
    ours = [_rates(p, lambda rec, r=r: r.events[rec]["senders"]) for p, r in pairs]
    assert ours[0], "no neuron population"
    scripts = []
    for k, p in enumerate(runs):
        script = tmp_path / f"seed{k}.py"
        script.write_text(pynest.export(p))
        scripts.append(str(script))
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER)
    done = subprocess.run(
        [sys.executable, str(runner), *scripts], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs: list[dict] = []
    for line in done.stdout.splitlines():
        if line.startswith("@@ seed"):
            theirs.append({})
        elif m := re.match(r"^  (\w+): ([\d.eE+-]+) spikes/s$", line):
            theirs[-1][m.group(1)] = float(m.group(2))
    assert len(theirs) == len(SEEDS) and set(theirs[0]) == set(ours[0]), (theirs, ours)
    report = []
    for key in ours[0]:
        a = [r[key] for r in ours]
        b = [r[key] for r in theirs]
        spread = max(statistics.stdev(a), statistics.stdev(b))  # of one run
        tolerance = max(3 * spread, FLOOR_HZ, FLOOR_REL * statistics.fmean(b))
        diff = abs(statistics.fmean(a) - statistics.fmean(b))
        report.append(f"{key}: spikedesk {statistics.fmean(a):.2f} NEST {statistics.fmean(b):.2f}"
                      f" (tolerance {tolerance:.2f})")  # fmt: skip
        assert diff <= tolerance, "\n".join(report)
    print(f"\n{path.name}#{number}: " + "; ".join(report))
