"""Cost of spikedesk versus network size: the brunel_delta network at N = 1k .. 100k.

    .venv/bin/python benchmarks/scaling.py [--sizes 1000 3000 10000 30000 100000]
                                           [--threads 1] [--duration 1000] [--engines spikedesk]

N = NE + NI with NE = 0.8 N (brunel_delta_nest.py's proportions). Indegrees are 10% of each
population (as in the example) up to N = 12500, then capped at CE = 1000, CI = 250, so that
beyond the example's size cost grows with N, not N^2 (100k neurons = 125 million synapses).
External rate and weights as in brunel_delta (eta = 2, J = 0.1 mV, g = 5, D = 1.5 ms).
Each point is a fresh child process (benchmarks/brunel_delta.py --child); prints build and
simulate seconds, peak RSS, synapses and spikes, and the cost per synapse and per spike.
"""

from __future__ import annotations

import argparse
import json
import sys

from brunel_delta import nest_available, sizes, spawn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000, 30000, 100000])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--engines", nargs="+", default=["spikedesk"])
    parser.add_argument("--max-indegree", type=int, default=1000)
    parser.add_argument("--json", help="also write the points to this file")
    args = parser.parse_args()
    engines = [e for e in args.engines if e != "nest" or nest_available()]
    print(f"{'engine':>10} {'N':>7} {'CE':>5} {'synapses':>11} {'build s':>8} {'sim s':>8} "
          f"{'RSS MB':>7} {'spikes':>9} {'rate/s':>7} {'ns/syn/s':>9}")  # fmt: skip
    points = []
    for n in args.sizes:
        scale = 0.8 * n / 10000.0
        s = sizes(scale, args.max_indegree)
        synapses = (s["NE"] + s["NI"]) * (s["CE"] + s["CI"])
        for engine in engines:
            r = spawn(engine, scale, args.duration, args.threads, args.max_indegree)
            if r is None:
                continue
            per = r["simulate"] / (synapses * args.duration / 1000.0) * 1e9
            points.append({"engine": engine, "N": s["NE"] + s["NI"], **s, "synapses": synapses,
                           "threads": args.threads, **r})  # fmt: skip
            print(f"{engine:>10} {s['NE'] + s['NI']:>7} {s['CE']:>5} {synapses:>11} "
                  f"{r['build']:8.2f} {r['simulate']:8.2f} {r['rss_mb']:7.0f} "
                  f"{r['spikes']:>9} {r['rate']:7.2f} {per:9.3f}", flush=True)  # fmt: skip
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"duration": args.duration, "points": points}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
