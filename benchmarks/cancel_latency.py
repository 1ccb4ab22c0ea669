"""How long after Cancel a run stops, in the middle of one long chunk (the issue's target:
100 ms). Brunel (the shipped example) streamed in one 100 s chunk; cancel after 1 s.

    .venv/bin/python benchmarks/cancel_latency.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from dataclasses import replace


def once() -> float:
    from spikedesk.engine import stream
    from spikedesk.project_files import examples_dir, io

    project = io.load(examples_dir() / "brunel.json")
    project = replace(project, simulation=replace(project.simulation, duration=100_000.0))
    cancel = threading.Event()
    ended: list[float] = []

    def work() -> None:
        for _ in stream(project, chunk=100_000.0, cancel=cancel):
            pass
        ended.append(time.perf_counter())

    worker = threading.Thread(target=work)
    worker.start()
    time.sleep(1.0)
    asked = time.perf_counter()
    cancel.set()
    worker.join(30)
    return ended[0] - asked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    times = [once() for _ in range(args.repeat)]
    print(f"cancel -> stopped: median {1000 * statistics.median(times):.1f} ms, "
          f"max {1000 * max(times):.1f} ms over {len(times)} runs")  # fmt: skip


if __name__ == "__main__":
    main()
