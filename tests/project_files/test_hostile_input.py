"""Hostile or absurd project files found by hand or by the fuzzer (issue 14): each one is
refused with a ``ProjectError`` naming the path, never an uncaught exception."""

from __future__ import annotations

import copy
import json

import pytest
from spikedesk.project_files import examples_dir, io
from spikedesk.project_files.validation import ProjectError, validate


def brunel() -> dict:
    return json.loads((examples_dir() / "brunel.json").read_text())


def psp() -> dict:
    return json.loads((examples_dir() / "spike_generator_psp.json").read_text())


def refused(data, path_part: str = "") -> ProjectError:
    with pytest.raises(ProjectError) as info:
        io.from_dict(data, "hostile.json")
    if path_part:
        assert any(path_part in p.path for p in info.value.problems), str(info.value)
    return info.value


def node(data: dict, node_id: str) -> dict:
    return next(n for n in data["nodes"] if n["id"] == node_id)


@pytest.mark.parametrize("key", ["duration", "resolution"])
@pytest.mark.parametrize("value", [1e308, 10**400, -(10**400), 1.7e308])
def test_huge_simulation_times_are_refused(key, value):
    data = brunel()
    data["simulation"][key] = value
    refused(data, f"simulation.{key}")


def test_resolution_below_a_tic_is_refused():
    data = brunel()
    data["simulation"]["resolution"] = 1e-300
    error = refused(data, "simulation.resolution")
    assert "0.001" in str(error)


def test_duration_with_too_many_steps_is_refused():
    data = brunel()
    data["simulation"].update(resolution=0.001, duration=1e16)
    refused(data, "simulation.duration")


@pytest.mark.parametrize("value", [10**400, -(10**400)])
def test_huge_integers_in_parameters_are_refused(value):
    data = brunel()
    node(data, "E")["params"] = {"tau_m": value}
    refused(data, "params.tau_m")


@pytest.mark.parametrize("where", ["seed", "threads"])
def test_huge_integer_settings_are_refused(where):
    data = brunel()
    data["simulation"][where] = 10**400
    refused(data, f"simulation.{where}")


def test_threads_have_an_upper_bound():
    data = brunel()
    data["simulation"]["threads"] = 2**31
    error = refused(data, "simulation.threads")
    assert "<=" in str(error) or "between" in str(error)


def test_huge_size_and_indices_are_refused():
    data = brunel()
    node(data, "E")["size"] = 10**400
    refused(data, "size")
    data = brunel()
    data["connections"][0]["source_indices"] = [10**400]
    refused(data, "source_indices")


def test_an_integer_with_5000_digits_in_the_text_is_a_project_error():
    text = (examples_dir() / "brunel.json").read_text()
    text = text.replace('"simulation": {}', '"simulation": {"duration": ' + "9" * 5000 + "}", 1)
    assert "9" * 5000 in text
    with pytest.raises(ProjectError) as info:
        io.loads(text, "digits.json")
    assert "digits.json" in str(info.value)


def test_deeply_nested_brackets_are_a_project_error():
    for text in ("[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000):
        with pytest.raises(ProjectError) as info:
            io.loads(text, "deep.json")
        assert "nested" in str(info.value)


def test_deeply_nested_dict_is_a_project_error():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    data = brunel()
    data["description"] = deep
    with pytest.raises(ProjectError):
        io.from_dict(data, "deep")
    assert validate(data)  # validation alone also copes


def test_random_whose_distribution_is_a_list():
    data = brunel()
    node(data, "E")["params"] = {"V_m": {"random": ["uniform"], "min": 0.0, "max": 1.0}}
    refused(data, "V_m.random")


@pytest.mark.parametrize("bad", [["uniform"], {"uniform": 1}, 3, None])
def test_random_distribution_of_any_type(bad):
    data = brunel()
    node(data, "E")["params"] = {"V_m": {"random": bad}}
    refused(data, "V_m")


def test_rule_name_given_as_a_list():
    data = brunel()
    data["connections"][0]["rule"] = {"rule": ["fixed_indegree"], "indegree": 3}
    refused(data, "connections[0].rule")


def test_rule_given_as_a_list():
    data = brunel()
    data["connections"][0]["rule"] = ["fixed_indegree"]
    refused(data, "connections[0].rule")


def test_synapse_model_given_as_a_list():
    data = brunel()
    data["connections"][0]["synapse"] = {"model": ["static_synapse"]}
    refused(data, "connections[0].synapse.model")


@pytest.mark.parametrize("params", [[], [1, 2], "tau_m", 5])
def test_device_params_that_are_not_an_object(params):
    data = brunel()
    node(data, "noise")["params"] = params
    refused(data, "params")


def test_random_voltmeter_interval_is_refused():
    data = psp()
    node(data, "mm")["params"]["interval"] = {"random": "uniform", "min": 0.1, "max": 1.0}
    refused(data, "nodes[3].params.interval")


def test_random_device_parameter_is_refused():
    data = brunel()
    node(data, "noise")["params"] = {"rate": {"random": "uniform", "min": 1.0, "max": 2.0}}
    refused(data, "params.rate")


@pytest.mark.parametrize("mult", [1e12, 2**32, 1e300, 0.5, -1.0])
def test_absurd_spike_multiplicities_are_refused(mult):
    data = psp()
    node(data, "spikes_in")["params"]["spike_multiplicities"] = [1.0] * 5 + [mult]
    refused(data, "spike_multiplicities")


def test_keys_of_any_type_do_not_crash():
    data = brunel()
    node(data, "E")["params"] = {"tau_m": [[[]]], "C_m": {"random": {}}}
    refused(data, "params.tau_m")


def test_valid_examples_still_load():
    for path in examples_dir().glob("*.json"):
        io.load(path)
    data = copy.deepcopy(psp())
    node(data, "spikes_in")["params"]["spike_multiplicities"] = [1.0, 2.0, 3.0, 1.0, 1.0, 0.0]
    io.from_dict(data)
