"""Generate the NEST 3.10 reference for gap junctions (run by hand, output committed).

    .venv/bin/python tools/reference/make_gap_traces.py [OUT_DIR]

NEST's own example (pynest/examples/gap_junctions_two_neurons.py): two hh_psc_alpha_gap
neurons, I_e 100 pA, the first starting at V_m = -10 mV, coupled both ways by gap_junction
weight 0.5 nS (all_to_all without autapses); resolution 0.05 ms, 351 ms; a voltmeter every
0.1 ms. Waveform relaxation with NEST's defaults (use_wfr, wfr_comm_interval 1 ms, wfr_tol
1e-4, 15 iterations, cubic interpolation), and a second run with wfr_interpolation_order 1
and wfr_tol 1e-6. Writes tests/data/reference/gap_traces.npz: ``<case>/senders``, ``times``,
``V_m`` and ``<case>/defaults/<param>`` (hh_psc_alpha_gap's NEST defaults).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "reference"
CASES = {
    "two_neurons": {},
    "two_neurons_linear": {"wfr_interpolation_order": 1, "wfr_tol": 1e-6},
}


def run(kernel: dict) -> dict[str, np.ndarray]:
    import nest

    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = 0.05
    nest.SetKernelStatus(kernel)
    neurons = nest.Create("hh_psc_alpha_gap", 2)
    vm = nest.Create("voltmeter", params={"interval": 0.1})
    neurons.I_e = 100.0
    neurons[0].V_m = -10.0
    nest.Connect(vm, neurons, "all_to_all")
    nest.Connect(
        neurons,
        neurons,
        {"rule": "all_to_all", "allow_autapses": False},
        {"synapse_model": "gap_junction", "weight": 0.5},
    )
    nest.Simulate(351.0)
    ev = vm.events
    out = {name: np.asarray(ev[name]) for name in ("senders", "times", "V_m")}
    defaults = nest.GetDefaults("hh_psc_alpha_gap")
    for name, value in defaults.items():
        if isinstance(value, float):
            out[f"defaults/{name}"] = np.asarray(value)
    return out


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    arrays = {}
    for case, kernel in CASES.items():
        for key, value in run(kernel).items():
            arrays[f"{case}/{key}"] = value
    np.savez_compressed(out_dir / "gap_traces.npz", **arrays)
    print("wrote", out_dir / "gap_traces.npz")


if __name__ == "__main__":
    main()
