"""Input that would take the process down (and with it ``spikedesk serve``) is refused
before anything is allocated, and a run stops soon after a cancel (issue 14)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np
import pytest
from spikedesk.engine import EngineError, merge, simulate, stream
from spikedesk.engine.errors import InsufficientMemoryError, InvalidProjectError
from spikedesk.project_files import examples_dir, io
from spikedesk.project_files.project import Connection, Node, Project, Simulation, Synapse


def brunel() -> Project:
    return io.load(examples_dir() / "brunel.json")


def test_long_delays_count_their_ring_buffers():
    project = Project(
        simulation=Simulation(duration=1.0, resolution=0.001),
        nodes=(Node("n", "iaf_psc_alpha", size=200),),
        connections=(Connection("c", "n", "n", synapse=Synapse(delay=1e5)),),
    )
    with pytest.raises(InsufficientMemoryError, match="GiB"):
        simulate(project)


def test_huge_thread_counts_are_refused_before_openmp_sees_them():
    for threads in (2**31, 100_000, 1000):
        with pytest.raises(InvalidProjectError, match="simulation.threads"):
            simulate(brunel(), threads=threads)


def test_huge_spike_multiplicities_are_refused():
    project = io.load(examples_dir() / "spike_generator_psp.json")
    gen = project.node("spikes_in")
    params = dict(gen.params, spike_multiplicities=(1.0, 1.0, 1.0, 1.0, 1.0, 1e12))
    nodes = tuple(replace(n, params=params) if n.id == gen.id else n for n in project.nodes)
    with pytest.raises(EngineError, match="spike_multiplicities"):
        simulate(replace(project, nodes=nodes))


def test_a_cancel_stops_a_long_chunk():
    project = replace(brunel(), simulation=replace(brunel().simulation, duration=100_000.0))
    cancel = threading.Event()
    chunks, ended = [], []

    def work():
        for chunk in stream(project, chunk=100_000.0, cancel=cancel):
            chunks.append(chunk)
        ended.append(time.perf_counter())

    worker = threading.Thread(target=work)
    worker.start()
    time.sleep(1.0)  # building and part of the one long chunk
    asked = time.perf_counter()
    cancel.set()
    worker.join(10)
    assert ended, "the run did not stop"
    # the chunk holds minutes of work; the 100 ms target is measured by
    # benchmarks/cancel_latency.py (a timed assertion flakes on a loaded 2-core machine)
    assert ended[0] - asked < 1.0, f"stopped {1000 * (ended[0] - asked):.0f} ms after cancel"
    assert len(chunks) <= 1 and (not chunks or chunks[0].time < 100_000.0)


def test_pieces_leave_the_results_unchanged():
    project = replace(brunel(), simulation=replace(brunel().simulation, duration=300.0))
    whole = simulate(project).events
    streamed = merge([c.events for c in stream(project, chunk=300.0)])
    for rid, fields in whole.items():
        for name, values in fields.items():
            np.testing.assert_array_equal(streamed[rid][name], values)


def test_an_astronomical_delay_is_refused_not_overflowed():
    """Found by tools/fuzz.py: delay 1e308 made the estimate infinite (OverflowError)."""
    project = Project(
        nodes=(Node("a", "iaf_psc_alpha", size=10),),
        connections=(Connection("c", "a", "a", synapse=Synapse(delay=1e308)),),
    )
    with pytest.raises(InsufficientMemoryError):
        simulate(project)


def test_a_memory_cap_is_respected(tmp_path):
    """Under an address-space cap (a small server) the estimate compares with the cap, not
    the machine's free memory, so the run is refused instead of aborting the process.
    Found by tools/fuzz.py: a 65 s delay on 1000 neurons allocated ~10 GB of ring buffers."""
    import subprocess
    import sys

    script = tmp_path / "capped.py"
    script.write_text(
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "from spikedesk.engine import simulate\n"
        "from spikedesk.engine.errors import InsufficientMemoryError\n"
        "from spikedesk.project_files.project import *\n"
        "p = Project(simulation=Simulation(duration=1.0, resolution=0.1),\n"
        "    nodes=(Node('n', 'iaf_psc_delta', size=1000),),\n"
        "    connections=(Connection('c', 'n', 'n', synapse=Synapse(delay=30000.0)),))\n"
        "try:\n"
        "    simulate(p)\n"
        "except InsufficientMemoryError as exc:\n"
        "    print('refused', exc)\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("refused the network needs"), result.stdout


def test_a_flood_of_spikes_is_a_simulation_error_not_a_raw_memory_error(tmp_path):
    """poisson_generator at 1e12 Hz into a parrot: ~1e8 spikes per step to record. Under a
    memory cap that is a SimulationError, not a raw MemoryError (or an abort in OpenMP)."""
    import subprocess
    import sys

    script = tmp_path / "flood.py"
    script.write_text(
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "from spikedesk.engine import simulate\n"
        "from spikedesk.engine.errors import SimulationError\n"
        "from spikedesk.project_files.project import *\n"
        "p = Project(simulation=Simulation(duration=5.0), nodes=(\n"
        "    Node('pg', 'poisson_generator', params={'rate': 1e12}),\n"
        "    Node('p', 'parrot_neuron'), Node('sr', 'spike_recorder')),\n"
        "    connections=(Connection('a', 'pg', 'p'), Connection('b', 'p', 'sr')))\n"
        "try:\n"
        "    simulate(p)\n"
        "except SimulationError as exc:\n"
        "    print('refused', exc)\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("refused engine: ran out of memory"), result.stdout
