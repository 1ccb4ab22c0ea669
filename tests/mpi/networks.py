"""Projects the MPI tests run: the shipped Brunel example (shortened) and a small network that
uses every connection rule, random weights and delays, two delays and a voltmeter; conductance
and precise-spike-time networks."""

from __future__ import annotations

from dataclasses import replace

from spikedesk.project_files import examples_dir, io
from spikedesk.project_files.project import (
    Connection,
    Node,
    Project,
    RandomParameter,
    Rule,
    Simulation,
    Synapse,
    frozen_map,
)


def brunel(duration: float = 200.0, threads: int = 1) -> Project:
    project = io.load(examples_dir() / "brunel.json")
    return replace(
        project, simulation=replace(project.simulation, duration=duration, threads=threads)
    )


def _conn(cid, source, target, rule="all_to_all", weight=1.0, delay=1.0, **args) -> Connection:
    return Connection(
        id=cid,
        source=source,
        target=target,
        rule=Rule(rule, frozen_map(args)),
        synapse=Synapse(weight=weight, delay=delay),
    )


def every_rule(duration: float = 150.0, threads: int = 1) -> Project:
    uniform = RandomParameter("uniform", frozen_map({"min": 1.0, "max": 3.0}))
    weights = RandomParameter("normal", frozen_map({"mean": 15.0, "std": 5.0}))
    nodes = (
        Node("noise", "poisson_generator", params=frozen_map({"rate": 12000.0})),
        Node("A", "iaf_psc_alpha", 37),
        Node("B", "iaf_psc_exp", 37),
        Node("P", "parrot_neuron", 11),
        Node("spikes", "spike_recorder"),
        Node("vm", "voltmeter", params=frozen_map({"interval": 0.5})),
    )
    connections = (
        _conn("noise_A", "noise", "A", weight=40.0),
        _conn("noise_B", "noise", "B", weight=35.0),
        _conn("A_A", "A", "A", "fixed_indegree", weight=weights, delay=uniform, indegree=6),
        _conn("A_B", "A", "B", "one_to_one", weight=30.0, delay=1.5),
        _conn("B_A", "B", "A", "fixed_outdegree", weight=-20.0, delay=2.0, outdegree=5),
        _conn("B_P", "B", "P", "fixed_total_number", delay=0.7, N=40),
        _conn("P_B", "P", "B", "pairwise_bernoulli", weight=12.0, delay=uniform, p=0.3),
        _conn("A_spikes", "A", "spikes"),
        _conn("B_spikes", "B", "spikes"),
        _conn("P_spikes", "P", "spikes"),
        Connection("vm_A", "vm", "A", target_indices=(0, 5, 17, 36)),
        Connection("vm_B", "vm", "B", target_indices=(1, 2)),
    )
    return Project(
        name="every rule",
        simulation=Simulation(duration=duration, resolution=0.1, seed=7, threads=threads),
        nodes=nodes,
        connections=connections,
    )


def conductance(duration: float = 150.0, threads: int = 1) -> Project:
    """Recurrent iaf_cond_alpha neurons (adaptive rkf45 per neuron) across ranks."""
    nodes = (
        Node("noise", "poisson_generator", params=frozen_map({"rate": 20000.0})),
        Node("C", "iaf_cond_alpha", 30),
        Node("spikes", "spike_recorder"),
        Node("vm", "voltmeter", params=frozen_map({"interval": 0.5})),
    )
    connections = (
        _conn("noise_C", "noise", "C", weight=2.0),
        _conn("C_exc", "C", "C", "fixed_indegree", weight=1.5, delay=1.0, indegree=5),
        _conn("C_inh", "C", "C", "pairwise_bernoulli", weight=-3.0, delay=1.5, p=0.2),
        _conn("C_spikes", "C", "spikes"),
        Connection("vm_C", "vm", "C", target_indices=(0, 7, 29)),
    )
    return Project(
        name="conductance",
        simulation=Simulation(duration=duration, resolution=0.1, seed=11, threads=threads),
        nodes=nodes,
        connections=connections,
    )


def precise(duration: float = 150.0, threads: int = 1) -> Project:
    """Precise spike times across ranks: offsets go through the real MPI exchange."""
    delays = RandomParameter("uniform", frozen_map({"min": 0.5, "max": 2.5}))
    nodes = (
        Node("pg", "poisson_generator_ps", params=frozen_map({"rate": 800.0, "dead_time": 0.5})),
        Node("A", "iaf_psc_alpha_ps", 30, params=frozen_map({"I_e": 300.0})),
        Node("D", "iaf_psc_delta_ps", 20, params=frozen_map({"I_e": 200.0})),
        Node("P", "parrot_neuron_ps", 5),
        Node("spikes", "spike_recorder"),
        Node("vm", "voltmeter", params=frozen_map({"interval": 0.5})),
    )
    connections = (
        _conn("pg_A", "pg", "A", weight=60.0),
        _conn("pg_P", "pg", "P", delay=2.0),
        _conn("A_A", "A", "A", "fixed_indegree", weight=-40.0, delay=delays, indegree=5),
        _conn("A_D", "A", "D", "pairwise_bernoulli", weight=2.0, delay=delays, p=0.2),
        _conn("D_A", "D", "A", "fixed_indegree", weight=50.0, delay=1.1, indegree=3),
        _conn("P_A", "P", "A", weight=20.0, delay=0.9),
        _conn("A_spikes", "A", "spikes"),
        _conn("D_spikes", "D", "spikes"),
        _conn("P_spikes", "P", "spikes"),
        Connection("vm_A", "vm", "A", target_indices=(0, 13, 29)),
    )
    return Project(
        name="precise",
        simulation=Simulation(duration=duration, resolution=0.1, seed=5, threads=threads),
        nodes=nodes,
        connections=connections,
    )


def families(duration: float = 100.0, threads: int = 1) -> Project:
    """One population of each neuron family driven by noise and wired together: adaptive
    exponential, Hodgkin-Huxley, Izhikevich, MAT, generalized IF (escape noise, so the
    per-neuron random streams cross ranks) and multisynapse receptor ports."""
    nodes = (
        Node("noise", "poisson_generator", params=frozen_map({"rate": 8000.0})),
        Node("aeif", "aeif_cond_alpha", 9),
        Node("hh", "hh_psc_alpha", 7),
        Node("izh", "izhikevich", 8),
        Node("mat", "mat2_psc_exp", 6),
        Node("gif", "gif_psc_exp", 10, params=frozen_map({"lambda_0": 5.0})),
        Node("multi", "iaf_psc_exp_multisynapse", 5,
             params=frozen_map({"tau_syn": (1.0, 4.0, 8.0)})),
        Node("spikes", "spike_recorder"),
        Node("vm", "multimeter", params=frozen_map({"interval": 0.5, "record_from": ("V_m",)})),
    )  # fmt: skip

    def receptor(cid, source, weight, port, **args):
        conn = _conn(cid, source, "multi", "fixed_indegree", weight=weight, indegree=3, **args)
        return replace(conn, synapse=replace(conn.synapse, receptor_type=port))

    connections = (
        _conn("noise_aeif", "noise", "aeif", weight=12.0),
        _conn("noise_hh", "noise", "hh", weight=60.0),
        _conn("noise_izh", "noise", "izh", weight=1.2),
        _conn("noise_mat", "noise", "mat", weight=40.0),
        _conn("noise_gif", "noise", "gif", weight=30.0),
        _conn("aeif_hh", "aeif", "hh", "fixed_indegree", weight=80.0, delay=1.2, indegree=3),
        _conn("hh_izh", "hh", "izh", "pairwise_bernoulli", weight=5.0, delay=0.8, p=0.5),
        _conn("izh_mat", "izh", "mat", "fixed_indegree", weight=-50.0, delay=1.5, indegree=2),
        _conn("mat_gif", "mat", "gif", "all_to_all", weight=40.0, delay=1.0),
        _conn("gif_aeif", "gif", "aeif", "fixed_indegree", weight=-2.0, delay=2.0, indegree=4),
        receptor("aeif_multi", "aeif", 300.0, 1),
        receptor("hh_multi", "hh", -200.0, 2, delay=1.3),
        receptor("gif_multi", "gif", 250.0, 3, delay=0.9),
        *(_conn(f"{p}_spikes", p, "spikes") for p in ("aeif", "hh", "izh", "mat", "gif", "multi")),
        *(Connection(f"vm_{p}", "vm", p, target_indices=(0, 2)) for p in ("aeif", "hh", "gif")),
    )
    return Project(
        name="families",
        simulation=Simulation(duration=duration, resolution=0.1, seed=5, threads=threads),
        nodes=nodes,
        connections=connections,
    )
