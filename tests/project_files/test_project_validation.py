"""Every kind of validation problem, with its exact JSON path and message."""

from __future__ import annotations

import copy

import pytest
from spikedesk.project_files import catalog, io
from spikedesk.project_files.validation import Problem, ProjectError, validate


def base() -> dict:
    """A small valid project touching every kind of node and connection."""
    return {
        "format": "spikedesk-project",
        "version": 1,
        "name": "base",
        "simulation": {"duration": 100.0, "resolution": 0.1, "seed": 1, "threads": 1},
        "nodes": [
            {"id": "E", "model": "iaf_psc_alpha", "size": 3, "params": {"tau_m": 20.0}},
            {"id": "pg", "model": "poisson_generator", "params": {"rate": 10.0}},
            {"id": "sg", "model": "spike_generator", "params": {"spike_times": [1.0, 2.0]}},
            {
                "id": "step",
                "model": "step_current_generator",
                "params": {"amplitude_times": [10.0, 20.0], "amplitude_values": [5.0, 0.0]},
            },
            {"id": "sr", "model": "spike_recorder"},
            {"id": "mm", "model": "multimeter", "params": {"record_from": ["V_m", "I_syn_ex"]}},
            {"id": "vm", "model": "voltmeter"},
            {"id": "D", "model": "iaf_psc_delta", "size": 3},
        ],
        "connections": [
            {
                "id": "EE",
                "source": "E",
                "target": "E",
                "rule": {"rule": "fixed_indegree", "indegree": 2},
                "synapse": {"weight": 1.0, "delay": 1.5},
            },
            {"id": "pgE", "source": "pg", "target": "E"},
            {"id": "sgE", "source": "sg", "target": "E"},
            {"id": "stepE", "source": "step", "target": "E"},
            {"id": "Esr", "source": "E", "target": "sr"},
            {"id": "mmE", "source": "mm", "target": "E", "target_indices": [0, 2]},
            {"id": "vmD", "source": "vm", "target": "D"},
        ],
    }


def test_base_is_valid():
    assert validate(base()) == []


def node_param(index, name, value):
    def edit(d):
        d["nodes"][index].setdefault("params", {})[name] = value

    return edit


SYNAPSES = catalog.synapse_models()


def set_at(*keys_and_value):
    *keys, value = keys_and_value

    def edit(d):
        target = d
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return edit


def delete(*keys):
    def edit(d):
        target = d
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return edit


def add_node(**node):
    def edit(d):
        d["nodes"].append(node)

    return edit


def coarse(except_connection=None, except_node=None):
    """Resolution 1.2 ms with explicit delays/intervals everywhere except one place."""

    def edit(d):
        d["simulation"]["resolution"] = 1.2
        d["simulation"]["duration"] = 120.0
        for i, conn in enumerate(d["connections"]):
            if i != except_connection:
                conn.setdefault("synapse", {})["delay"] = 1.5
        for i, node in enumerate(d["nodes"]):
            if node["model"] in ("voltmeter", "multimeter") and i != except_node:
                node.setdefault("params", {})["interval"] = 1.2

    return edit


def add_conn(**conn):
    def edit(d):
        d["connections"].append({"id": "new", **conn})

    return edit


ALL_RULES = ", ".join(
    ["all_to_all", "fixed_indegree", "fixed_outdegree", "fixed_total_number", "one_to_one"]
    + ["pairwise_bernoulli"]
)
CASES = {
    # header
    "format missing": (
        delete("format"),
        "format",
        'missing; a project file starts with "format": "spikedesk-project"',
    ),
    "format wrong": (
        set_at("format", "nest-desktop"),
        "format",
        'must be "spikedesk-project", got "nest-desktop"',
    ),
    "version missing": (
        delete("version"),
        "version",
        "missing; must be the format version number, e.g. 1",
    ),
    "version not int": (set_at("version", "1"), "version", 'must be an integer >= 1, got "1"'),
    "version newer": (
        set_at("version", 7),
        "version",
        "format version 7 is newer than this build of spikedesk knows (3); "
        "update spikedesk to open this file",
    ),
    "unknown top key": (
        set_at("nodez", []),
        "nodez",
        "unknown key; allowed keys here: format, version, name, description, "
        "simulation, copy_models, nodes, connections",
    ),
    "name type": (set_at("name", 3), "name", "must be a string, got 3"),
    # simulation
    "duration <= 0": (
        set_at("simulation", "duration", 0),
        "simulation.duration",
        "must be > 0, got 0",
    ),
    "resolution < 0": (
        set_at("simulation", "resolution", -0.1),
        "simulation.resolution",
        "must be > 0, got -0.1",
    ),
    "duration type": (
        set_at("simulation", "duration", "long"),
        "simulation.duration",
        'must be a number, got "long"',
    ),
    "duration not a multiple": (
        set_at("simulation", "duration", 100.05),
        "simulation.duration",
        "must be a multiple of the resolution (0.1 ms), got 100.05",
    ),
    "resolution not in tics": (
        set_at("simulation", "resolution", 0.0015),
        "simulation.resolution",
        "must be a multiple of 0.001 ms (NEST's tic), got 0.0015",
    ),
    "interval not a multiple": (
        node_param(6, "interval", 0.15),
        "nodes[6].params.interval",
        "must be a multiple of the resolution (0.1 ms), got 0.15",
    ),
    "threads < 1": (
        set_at("simulation", "threads", 0),
        "simulation.threads",
        "must be between 1 and 256, got 0",
    ),
    "seed range": (
        set_at("simulation", "seed", 0),
        "simulation.seed",
        "must be between 1 and 4294967295, got 0",
    ),
    "seed too big": (
        set_at("simulation", "seed", 2**32),
        "simulation.seed",
        "must be between 1 and 4294967295, got 4294967296",
    ),
    "seed type": (
        set_at("simulation", "seed", 1.5),
        "simulation.seed",
        "must be an integer, got 1.5",
    ),
    # nodes
    "unknown model": (
        set_at("nodes", 4, "model", "spike_detector"),
        "nodes[4].model",
        'unknown model "spike_detector"; did you mean spike_generator, spike_recorder, '
        "spike_train_injector? "
        f"(`spikedesk models` lists the {len(catalog.models())} models)",
    ),
    "model missing": (
        delete("nodes", 4, "model"),
        "nodes[4].model",
        "missing; name a model, e.g. iaf_psc_alpha",
    ),
    "unknown param": (
        node_param(1, "rates", 5.0),
        "nodes[1].params.rates",
        "unknown parameter of poisson_generator; its parameters are: origin, rate, start, stop",
    ),
    "duplicate node id": (
        add_node(id="E", model="spike_recorder"),
        "nodes[8].id",
        'duplicate node id "E"',
    ),
    "empty node id": (
        add_node(id="", model="spike_recorder"),
        "nodes[8].id",
        'must be a non-empty string, got ""',
    ),
    "size 0": (set_at("nodes", 0, "size", 0), "nodes[0].size", "must be >= 1, got 0"),
    "size float": (
        set_at("nodes", 0, "size", 2.5),
        "nodes[0].size",
        "must be an integer >= 1, got 2.5",
    ),
    "bad color": (
        set_at("nodes", 0, "color", "red"),
        "nodes[0].color",
        'must be a colour "#rrggbb", got "red"',
    ),
    "unknown node key": (
        set_at("nodes", 0, "colour", "#ff0000"),
        "nodes[0].colour",
        "unknown key; allowed keys here: id, label, model, size, params, position, color, "
        "spatial",
    ),
    "position type": (
        set_at("nodes", 0, "position", {"x": "a"}),
        "nodes[0].position.x",
        'must be a number, got "a"',
    ),
    "param wrong type": (
        node_param(0, "tau_m", "fast"),
        "nodes[0].params.tau_m",
        'must be a number, got "fast"',
    ),
    "bool param": (
        node_param(7, "refractory_input", 1),
        "nodes[7].params.refractory_input",
        "must be true or false, got 1",
    ),
    "bool is not a number": (
        node_param(0, "I_e", True),
        "nodes[0].params.I_e",
        "must be a number, got true",
    ),
    "per-neuron length": (
        node_param(0, "I_e", [1.0, 2.0]),
        "nodes[0].params.I_e",
        "a per-neuron list needs 3 values (the node's size), got 2",
    ),
    "per-neuron element": (
        node_param(0, "I_e", [1.0, "x", 2.0]),
        "nodes[0].params.I_e[1]",
        'must be a number, got "x"',
    ),
    "list param not list": (
        node_param(2, "spike_times", 5.0),
        "nodes[2].params.spike_times",
        "must be a list of floats, got 5.0",
    ),
    # physical constraints
    "tau_m <= 0": (node_param(0, "tau_m", -5), "nodes[0].params.tau_m", "must be > 0, got -5"),
    "C_m <= 0": (node_param(0, "C_m", 0.0), "nodes[0].params.C_m", "must be > 0, got 0.0"),
    "tau_syn per neuron": (
        node_param(0, "tau_syn_ex", [1.0, 0.0, 2.0]),
        "nodes[0].params.tau_syn_ex[1]",
        "must be > 0, got 0.0",
    ),
    "t_ref < 0": (node_param(0, "t_ref", -1.0), "nodes[0].params.t_ref", "must be >= 0, got -1.0"),
    "rate < 0": (node_param(1, "rate", -10.0), "nodes[1].params.rate", "must be >= 0, got -10.0"),
    "interval < resolution": (
        node_param(6, "interval", 0.05),
        "nodes[6].params.interval",
        "must be >= 0.1 (the simulation resolution), got 0.05",
    ),
    "V_reset >= V_th": (
        node_param(0, "V_reset", -50.0),
        "nodes[0].params.V_reset",
        "V_reset must be < V_th, got V_reset -50.0 >= V_th -55.0",
    ),
    "stop < start": (
        set_at("nodes", 1, "params", {"start": 50.0, "stop": 10.0}),
        "nodes[1].params.stop",
        "stop must be >= start, got stop 10.0 < start 50.0",
    ),
    "unsorted spike times": (
        node_param(2, "spike_times", [2.0, 1.0]),
        "nodes[2].params.spike_times",
        "times must be sorted in increasing order, got [2.0, 1.0]",
    ),
    "negative times": (
        node_param(2, "spike_times", [-1.0, 1.0]),
        "nodes[2].params.spike_times",
        "times must be >= 0, got -1.0",
    ),
    "step times not increasing": (
        node_param(3, "amplitude_times", [10.0, 10.0]),
        "nodes[3].params.amplitude_times",
        "times must be strictly increasing, got [10.0, 10.0]",
    ),
    "times/values lengths": (
        node_param(3, "amplitude_values", [1.0]),
        "nodes[3].params.amplitude_values",
        "needs one value per entry of amplitude_times (2), got 1",
    ),
    "spike weights length": (
        node_param(2, "spike_weights", [1.0]),
        "nodes[2].params.spike_weights",
        "needs one value per entry of spike_times (2), got 1",
    ),
    "record_from not recordable": (
        node_param(5, "record_from", ["V_m", "g_ex"]),
        "nodes[5].params.record_from[1]",
        '"g_ex" is not recordable from node "E" (iaf_psc_alpha records I_syn_ex, I_syn_in, V_m)',
    ),
    "voltmeter on delta records only V_m": (
        node_param(6, "record_from", ["I_syn_ex"]),
        "nodes[6].params.record_from[0]",
        '"I_syn_ex" is not recordable from node "D" (iaf_psc_delta records V_m)',
    ),
    "record_from element type": (
        node_param(5, "record_from", [3]),
        "nodes[5].params.record_from[0]",
        "must be a string, got 3",
    ),
    "non-finite": (
        node_param(0, "I_e", float("inf")),
        "nodes[0].params.I_e",
        "must be a finite number, got inf",
    ),
    # random parameters
    "unknown distribution": (
        node_param(0, "V_m", {"random": "gamma", "k": 1.0}),
        "nodes[0].params.V_m.random",
        'unknown distribution "gamma"; use one of uniform, normal, lognormal, exponential',
    ),
    "random missing arg": (
        node_param(0, "V_m", {"random": "normal", "mean": 0.0}),
        "nodes[0].params.V_m",
        'a normal distribution needs "std"',
    ),
    "random std < 0": (
        node_param(0, "V_m", {"random": "normal", "mean": 0.0, "std": -1.0}),
        "nodes[0].params.V_m.std",
        "must be >= 0, got -1.0",
    ),
    "random low > high": (
        node_param(
            0, "V_m", {"random": "normal", "mean": 0.0, "std": 1.0, "low": 2.0, "high": 1.0}
        ),
        "nodes[0].params.V_m",
        "low must be <= high, got low 2.0 > high 1.0",
    ),
    "uniform min > max": (
        node_param(0, "V_m", {"random": "uniform", "min": 2.0, "max": 1.0}),
        "nodes[0].params.V_m",
        "min must be <= max, got min 2.0 > max 1.0",
    ),
    "random extra arg": (
        node_param(0, "V_m", {"random": "exponential", "beta": 1.0, "mu": 1}),
        "nodes[0].params.V_m.mu",
        "unknown argument of a exponential distribution (it takes beta, and "
        "optional low, high, bound)",
    ),
    "random bad bound": (
        node_param(0, "V_m", {"random": "uniform", "min": 0.0, "max": 1.0, "bound": "wrap"}),
        "nodes[0].params.V_m.bound",
        'must be "clip" or "redraw", got "wrap"',
    ),
    "random on bool": (
        node_param(7, "refractory_input", {"random": "uniform", "min": 0, "max": 1}),
        "nodes[7].params.refractory_input",
        "a random value needs a float parameter, this one is bool",
    ),
    "random tau unbounded": (
        node_param(0, "tau_m", {"random": "normal", "mean": 10.0, "std": 1.0}),
        "nodes[0].params.tau_m",
        'tau_m must be > 0; give the random value a "low" bound > 0',
    ),
    # connections
    "dangling target": (
        set_at("connections", 0, "target", "X"),
        "connections[0].target",
        'no node has the id "X"',
    ),
    "dangling source": (
        set_at("connections", 1, "source", "nope"),
        "connections[1].source",
        'no node has the id "nope"',
    ),
    "duplicate connection id": (
        set_at("connections", 1, "id", "EE"),
        "connections[1].id",
        'duplicate connection id "EE"',
    ),
    "unknown rule": (
        set_at("connections", 0, "rule", {"rule": "small_world"}),
        "connections[0].rule.rule",
        f'unknown rule "small_world"; known rules: {ALL_RULES}',
    ),
    "unknown rule arg": (
        set_at("connections", 0, "rule", "indegre", 2),
        "connections[0].rule.indegre",
        "unknown argument of rule fixed_indegree; it takes indegree, "
        "allow_autapses, allow_multapses, mask, p",
    ),
    "missing rule arg": (
        delete("connections", 0, "rule", "indegree"),
        "connections[0].rule",
        'rule fixed_indegree needs "indegree"',
    ),
    "rule arg type": (
        set_at("connections", 0, "rule", "indegree", 2.5),
        "connections[0].rule.indegree",
        "must be an integer, got 2.5",
    ),
    "rule option type": (
        set_at("connections", 0, "rule", "allow_autapses", "no"),
        "connections[0].rule.allow_autapses",
        'must be true or false, got "no"',
    ),
    "p out of range": (
        set_at("connections", 0, "rule", {"rule": "pairwise_bernoulli", "p": 1.5}),
        "connections[0].rule.p",
        "must be a probability between 0 and 1, got 1.5",
    ),
    "one_to_one sizes": (
        set_at("connections", 1, "rule", {"rule": "one_to_one"}),
        "connections[1].rule.rule",
        "one_to_one needs equally many sources and targets, got 1 and 3",
    ),
    "indegree without multapses": (
        set_at(
            "connections",
            0,
            "rule",
            {"rule": "fixed_indegree", "indegree": 5, "allow_multapses": False},
        ),
        "connections[0].rule.indegree",
        "indegree 5 exceeds the 3 available neurons while allow_multapses is false",
    ),
    "delay < resolution": (
        set_at("connections", 0, "synapse", "delay", 0.05),
        "connections[0].synapse.delay",
        "must be >= 0.1 (the simulation resolution), got 0.05",
    ),
    "default delay < resolution": (
        coarse(except_connection=1),
        "connections[1].synapse.delay",
        "the default delay 1.0 ms is below the resolution 1.2 ms; set a delay",
    ),
    "default interval < resolution": (
        coarse(except_node=6),
        "nodes[6].params.interval",
        "the default interval 1.0 ms is below the resolution 1.2 ms; set an interval",
    ),
    "random delay unbounded": (
        set_at("connections", 0, "synapse", "delay", {"random": "normal", "mean": 1.5, "std": 0.5}),
        "connections[0].synapse.delay",
        'delay must be >= 0.1; give the random value a "low" bound >= 0.1',
    ),
    "weight type": (
        set_at("connections", 0, "synapse", "weight", "big"),
        "connections[0].synapse.weight",
        'must be a number, got "big"',
    ),
    "weight list": (
        set_at("connections", 0, "synapse", "weight", [1.0]),
        "connections[0].synapse.weight",
        "must be a number or a random value, got [1.0]",
    ),
    "unknown synapse model": (
        set_at("connections", 0, "synapse", "model", "stdp_synapsee"),
        "connections[0].synapse.model",
        'unknown synapse model "stdp_synapsee"; known: ' + ", ".join(sorted(SYNAPSES)),
    ),
    "unknown synapse param": (
        set_at("connections", 0, "synapse", "params", {"tau_plus": 20.0}),
        "connections[0].synapse.params.tau_plus",
        "unknown parameter of static_synapse; its parameters are: weight_recorder",
    ),
    "synapse param beside params": (
        set_at("connections", 0, "synapse", "tau_plus", 20.0),
        "connections[0].synapse.tau_plus",
        "unknown key; allowed keys here: model, weight, delay, receptor_type, params",
    ),
    "synapse_model key": (
        set_at("connections", 0, "synapse", "synapse_model", "static_synapse"),
        "connections[0].synapse.synapse_model",
        'write the synapse model as "model"',
    ),
    "unknown connection key": (
        set_at("connections", 0, "conn_spec", {}),
        "connections[0].conn_spec",
        "unknown key; allowed keys here: id, source, target, rule, "
        "synapse, source_indices, target_indices",
    ),
    "indices out of range": (
        set_at("connections", 5, "target_indices", [0, 3]),
        "connections[5].target_indices",
        "index 3 is outside the target node (0-based, size 3)",
    ),
    "indices unsorted": (
        set_at("connections", 5, "target_indices", [2, 0]),
        "connections[5].target_indices",
        "indices must be sorted and unique, got [2, 0]",
    ),
    "indices empty": (
        set_at("connections", 5, "target_indices", []),
        "connections[5].target_indices",
        "must be a non-empty list of neuron indices, got []",
    ),
    # which node kinds may be connected
    "into a stimulator": (
        add_conn(source="E", target="pg"),
        "connections[7].target",
        "iaf_psc_alpha -> poisson_generator: nothing can connect into a "
        "stimulator; connect the stimulator to neurons",
    ),
    "generator to recorder": (
        add_conn(source="pg", target="sr"),
        "connections[7].target",
        "poisson_generator -> spike_recorder: a recorder only records neurons",
    ),
    "from spike_recorder": (
        add_conn(source="sr", target="E"),
        "connections[7].source",
        "spike_recorder -> iaf_psc_alpha: only samplers (multimeter, voltmeter) "
        "connect out, and only to neurons or to devices with recordables (spike "
        "recorders receive: neuron -> spike_recorder)",
    ),
    "neuron to voltmeter": (
        add_conn(source="D", target="vm"),
        "connections[7].target",
        "iaf_psc_delta -> voltmeter: a voltmeter is connected to the neurons "
        "it records, voltmeter -> iaf_psc_delta, not the other way",
    ),
    "voltmeter to recorder": (
        add_conn(source="vm", target="sr"),
        "connections[7].source",
        "voltmeter -> spike_recorder: only samplers (multimeter, voltmeter) "
        "connect out, and only to neurons or to devices with recordables (spike "
        "recorders receive: neuron -> spike_recorder)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_problem_has_its_path_and_message(case):
    edit, path, message = CASES[case]
    data = copy.deepcopy(base())
    edit(data)
    assert validate(data) == [Problem(path, message)]


def test_every_problem_is_reported_at_once():
    data = base()
    for case in (
        "tau_m <= 0",
        "dangling target",
        "size 0",
        "unknown rule",
        "format wrong",
        "random std < 0",
    ):
        CASES[case][0](data)
    paths = [p.path for p in validate(data)]
    assert paths == [
        "format",
        "nodes[0].size",
        "nodes[0].params.tau_m",
        "nodes[0].params.V_m.std",
        "connections[0].target",
        "connections[0].rule.rule",
    ]


def test_not_an_object():
    assert validate([1, 2]) == [Problem("", "a project must be a JSON object, got a list")]


def test_project_error_lists_every_problem_and_names_the_file():
    data = base()
    CASES["tau_m <= 0"][0](data)
    CASES["dangling target"][0](data)
    with pytest.raises(ProjectError) as info:
        io.from_dict(data, "net.json")
    assert str(info.value) == (
        "net.json: 2 problems\n"
        "  nodes[0].params.tau_m: must be > 0, got -5\n"
        '  connections[0].target: no node has the id "X"'
    )
    assert info.value.source == "net.json"
    assert len(info.value.problems) == 2


def test_validate_accepts_project_objects():
    project = io.from_dict(base())
    assert validate(project) == []
    bad = io.from_dict({**base(), "simulation": {"duration": 5.0}})
    assert validate(bad) == []


def test_validate_reports_problems_of_hand_built_project_objects():
    """The app builds Project objects directly; validate() must handle any content."""
    from spikedesk.project_files.project import (
        Connection,
        Node,
        Project,
        RandomParameter,
        Simulation,
        Synapse,
        frozen_map,
    )

    project = Project(
        simulation=Simulation(resolution=0.0),
        nodes=(
            Node("a", "nope", size=0),
            Node("b", "iaf_psc_alpha", params=frozen_map({"V_m": RandomParameter("cauchy")})),
        ),
        connections=(Connection("c", "b", "b", synapse=Synapse(weight=float("nan"))),),
    )
    assert [str(p) for p in validate(project)] == [
        "simulation.resolution: must be > 0, got 0.0",
        "nodes[0].size: must be >= 1, got 0",
        'nodes[0].model: unknown model "nope"; '
        f"(`spikedesk models` lists the {len(catalog.models())} models)",
        'nodes[1].params.V_m.random: unknown distribution "cauchy"; use one of uniform, normal, '
        "lognormal, exponential",
        "connections[0].synapse.weight: must be a finite number, got nan",
    ]
