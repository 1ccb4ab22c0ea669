"""The studio's Cancel stops the run's worker within 100 ms, even in the middle of a long
chunk, and the run ends as a cancelled run (not an error)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from spikedesk.app.session import ProjectSession
from spikedesk.app.store import ProjectStore
from spikedesk.app.studio import Studio
from spikedesk.engine.backends import EmbeddedBackend
from spikedesk.project_files import examples_dir, io


class LongChunks(EmbeddedBackend):
    def run(self, project, *, chunk=100.0, cancel=None):
        return super().run(project, chunk=100_000.0, cancel=cancel)


def test_cancel_in_the_middle_of_a_long_chunk(tmp_path):
    store = ProjectStore(tmp_path)
    project = io.load(examples_dir() / "brunel.json")
    project = replace(project, simulation=replace(project.simulation, duration=100_000.0))
    name = store.create(project, "long")
    studio = Studio(ProjectSession(store, name))
    worker = threading.Thread(target=studio._work, args=(studio.project, LongChunks(), 0))
    worker.start()
    time.sleep(1.0)
    asked = time.perf_counter()
    studio.cancel()
    worker.join(10)
    stopped = time.perf_counter() - asked
    assert not worker.is_alive()
    # the chunk holds minutes of work; the 100 ms target is measured by
    # benchmarks/cancel_latency.py (a timed assertion flakes on a loaded 2-core machine)
    assert stopped < 1.0, f"{1000 * stopped:.0f} ms"
    done = [item for _, item in studio._buffer.take() if isinstance(item, tuple)]
    assert done and done[-1][0] == "done" and done[-1][4] < 100_000.0  # simulated ms
