"""Fuzz project loading, validation and short simulations; nothing may raise anything but a
``ProjectError`` (loading) or an ``EngineError`` (running), crash the process or hang.

    .venv/bin/python tools/fuzz.py --cases 100000          # before a release
    .venv/bin/python tools/fuzz.py --cases 2000 --seed 7   # a quick look

Cases are example projects with random mutations (values swapped for hostile ones: huge or
tiny numbers, wrong types, deep nesting, lists for objects; keys added or removed) and text
mutations (cut, bytes inserted). Every case that validates is also simulated for a few
milliseconds in a separate worker process, so a crash (abort, segfault) or a hang is caught
and reported with the case that caused it. tests/fuzz/test_fuzz.py runs the same checks under
hypothesis within about a minute in CI.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "project_files" / "examples"
RUN_MS = 5.0  # simulated per case: enough to build, step and deliver
WORKER_MEMORY = 4 << 30  # bytes of address space the simulating worker may use
MAX_SYNAPSES = 2e6  # bigger valid cases are slow, not broken: they are not simulated
MAX_NODES = 100_000
RUN_TIMEOUT = 60.0  # s a case may take in the worker before it counts as a hang

HOSTILE: list[Any] = [
    0, -1, 1, 2**31, 2**32, 2**63, 10**400, -(10**400), 0.5, -0.0, 1e-300, 1e308, -1e308,
    1e12, 65536, True, False, None, "", "x", "1e308", "iaf_psc_alpha", [], [1], [[]], {},
    {"random": "uniform"}, {"random": ["uniform"], "min": 0, "max": 1},
    {"random": "normal", "mean": 0, "std": 1e308}, {"random": "exponential", "beta": 1e-300},
    [0.0] * 50, list(range(20)), {"rule": "fixed_indegree", "indegree": 10**6},
]  # fmt: skip


NEST_DESKTOP = ROOT / "tests" / "data" / "nest_desktop"


def examples() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))}


def nest_desktop_files() -> dict[str, Any]:
    """The NEST Desktop projects in the test data (3.x and 4.x files)."""
    out = {}
    for path in sorted(NEST_DESKTOP.rglob("*.json")):
        try:
            out[path.stem] = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError):
            continue
    return out


def check_import(text: str) -> None:
    """Import NEST Desktop text as the app's upload does: a ``ProjectError`` or projects."""
    from spikedesk.project_files import io, nest_desktop
    from spikedesk.project_files.validation import ProjectError

    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return
    try:
        projects = nest_desktop.import_data(data, "fuzz-nd.json")
    except ProjectError:
        return
    except Exception as exc:
        raise Failure(f"the NEST Desktop import raised {type(exc).__name__}: {exc}") from exc
    for project in projects:
        try:
            io.loads(io.dumps(project), "imported.json")
        except Exception as exc:
            raise Failure(f"an imported project does not load again: {exc}") from exc


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON tree (keys and list indices from the root)."""
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data[:30]):
            out += paths(v, (*prefix, i))
    return out


def _parent(data: Any, path: tuple) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


def mutate(data: dict, rng: random.Random, count: int = 3) -> Any:
    """``data`` with ``count`` random structural mutations (the input is not changed)."""
    data = copy.deepcopy(data)
    for _ in range(count):
        where = rng.choice(paths(data))
        kind = rng.random()
        if not where:
            if kind < 0.1:
                return rng.choice(HOSTILE)
            continue
        parent = _parent(data, where)
        key = where[-1]
        if kind < 0.6:
            parent[key] = copy.deepcopy(rng.choice(HOSTILE))
        elif kind < 0.7 and isinstance(parent, dict):
            del parent[key]
        elif kind < 0.8:
            parent[key] = [parent[key]] if rng.random() < 0.5 else {"value": parent[key]}
        elif kind < 0.9 and isinstance(parent, dict):
            parent[rng.choice(["extra", "random", "rule", "params", "model", "size"])] = (
                copy.deepcopy(rng.choice(HOSTILE))
            )
        elif isinstance(parent[key], (int, float)) and not isinstance(parent[key], bool):
            try:
                parent[key] = parent[key] * rng.choice([-1, 0, 10, 1e6, 1e-6, 1e300])
            except OverflowError:  # a huge integer times a float
                parent[key] = -parent[key]
        elif isinstance(parent[key], list) and parent[key]:
            parent[key] = parent[key] * rng.choice([0, 2, 100])
    return data


def mutate_text(text: str, rng: random.Random) -> str:
    kind = rng.random()
    at = rng.randrange(len(text) + 1)
    if kind < 0.3:
        return text[:at]
    if kind < 0.6:
        junk = rng.choice(['"', "{", "[", "]", "}", ",", ":", "\x00", "\ud800", "NaN", "1e999",
                           "-", "9" * 5000, "[" * 5000, "\\u0000"])  # fmt: skip
        return text[:at] + junk + text[at:]
    if kind < 0.8:
        return "[" * rng.choice([100, 10_000, 100_000]) + text
    return text.replace("1.0", rng.choice(["1e308", "-1", "NaN", "Infinity", "10" * 300]))


class Failure(Exception):
    """A case broke a promise; the message names it and the case is kept for replay."""


def check_load(text: str) -> Any:
    """Load project text; return the ``Project`` or None (refused). Anything else fails."""
    from spikedesk.project_files import io
    from spikedesk.project_files.validation import ProjectError, validate

    try:
        project = io.loads(text, "fuzz.json")
    except ProjectError:
        project = None
    except Exception as exc:
        raise Failure(f"loading raised {type(exc).__name__}: {exc}") from exc
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return project
    try:
        problems = validate(data)
    except Exception as exc:
        raise Failure(f"validate raised {type(exc).__name__}: {exc}") from exc
    if (project is None) != bool(problems) and not isinstance(data, dict):
        pass
    if project is not None:
        try:  # what loads must save and load again
            io.loads(io.dumps(project), "again.json")
        except Exception as exc:
            raise Failure(f"a loaded project does not load again: {exc}") from exc
    return project


class Runner:
    """A worker process that simulates projects; a dead or silent worker is a failure."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    def _start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )

    def run(self, text: str, timeout: float = RUN_TIMEOUT) -> str:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(text) + "\n")
        self.proc.stdin.flush()
        import selectors

        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                self.close()
                raise Failure(f"the simulation hung (no answer in {timeout:g} s)")
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            code = self.proc.wait()
            self.proc = None
            raise Failure(f"the simulation killed its process (exit {code}): {err[-2000:]}")
        answer = json.loads(line)
        if answer.startswith("bug: "):
            raise Failure(answer)
        return answer

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


WORKER = f"""
import json, resource, sys, traceback
# a memory cap, as a small server has: the engine must refuse what would not fit
resource.setrlimit(resource.RLIMIT_AS, ({WORKER_MEMORY}, {WORKER_MEMORY}))
from spikedesk.engine import EngineError, simulate
from spikedesk.engine.driver import estimate_synapses
from spikedesk.project_files import io
for line in sys.stdin:
    text = json.loads(line)
    try:
        project = io.loads(text, "fuzz.json")
        if (estimate_synapses(project) > {MAX_SYNAPSES!r}
                or sum(n.size for n in project.nodes) > {MAX_NODES!r}):
            print(json.dumps("refused: too large to simulate in a fuzz case"), flush=True)
            continue  # legitimate but slow: a cancellable run, not a hang
        duration = min(project.simulation.duration, {RUN_MS!r})
        duration = round(duration / project.simulation.resolution) * project.simulation.resolution
        simulate(project, duration=max(duration, project.simulation.resolution))
        answer = "ran"
    except EngineError as exc:
        answer = "refused: " + str(exc)[:200]
    except Exception as exc:
        answer = "bug: " + "".join(traceback.format_exception(exc))[-2000:]
    print(json.dumps(answer), flush=True)
"""


def one_case(rng: random.Random, bases: list[dict]) -> str:
    base = rng.choice(bases)
    if rng.random() < 0.2:
        return mutate_text(json.dumps(mutate(base, rng, rng.randint(0, 2))), rng)
    return json.dumps(mutate(base, rng, rng.randint(1, 4)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--run-every", type=int, default=1, help="simulate every Nth valid case")
    parser.add_argument("--out", default="fuzz-failures", help="folder for failing cases")
    parser.add_argument(
        "--nest-desktop",
        action="store_true",
        help="mutate the NEST Desktop files of tests/data and import them (no simulation)",
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    if args.nest_desktop:
        return fuzz_nest_desktop(args, rng)
    bases = list(examples().values())
    runner = Runner()
    failures, valid, ran, start = 0, 0, 0, time.monotonic()
    print(f"fuzz: seed {args.seed}, {args.cases} cases", flush=True)
    try:
        for case in range(args.cases):
            text = one_case(rng, bases)
            try:
                project = check_load(text)
                if project is not None:
                    valid += 1
                    if valid % args.run_every == 0:
                        ran += 1
                        runner.run(text)
            except Failure as exc:
                failures += 1
                out = Path(args.out)
                out.mkdir(exist_ok=True)
                (out / f"case-{args.seed}-{case}.json").write_text(text)
                print(f"case {case}: {exc}", flush=True)
                if os.environ.get("FUZZ_TRACE"):
                    traceback.print_exc()
            if case % 1000 == 999:
                rate = (case + 1) / (time.monotonic() - start)
                print(f"  {case + 1} cases ({valid} valid, {ran} simulated, "
                      f"{failures} failures), {rate:.0f}/s", flush=True)  # fmt: skip
    finally:
        runner.close()
    print(f"fuzz: {args.cases} cases, {valid} valid, {ran} simulated, {failures} failures")
    return 1 if failures else 0


def fuzz_nest_desktop(args: argparse.Namespace, rng: random.Random) -> int:
    bases = list(nest_desktop_files().values())
    failures = 0
    seen: set[str] = set()
    for case in range(args.cases):
        text = one_case(rng, bases)
        try:
            check_import(text)
        except Failure as exc:
            failures += 1
            kind = str(exc).split(":")[0:2]
            out = Path(args.out)
            out.mkdir(exist_ok=True)
            (out / f"nd-case-{args.seed}-{case}.json").write_text(text)
            if str(kind) not in seen:  # each kind of failure once
                seen.add(str(kind))
                print(f"case {case}: {str(exc)[:300]}", flush=True)
    print(f"fuzz (NEST Desktop): {args.cases} cases, {failures} failures, {len(seen)} kinds")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
