"""The committed JSON Schema is the generated one, and it agrees with validate() on examples."""

from __future__ import annotations

import copy
import json
from importlib import resources

import jsonschema
import pytest
from spikedesk.project_files import schema

PACKAGE = resources.files("spikedesk.project_files")
EXAMPLES = sorted(p for p in PACKAGE.joinpath("examples").iterdir() if p.name.endswith(".json"))


@pytest.fixture(scope="module")
def validator():
    built = schema.build_schema()
    jsonschema.Draft202012Validator.check_schema(built)
    return jsonschema.Draft202012Validator(built)


def test_committed_schema_is_up_to_date():
    committed = PACKAGE.joinpath("schema.json").read_text(encoding="utf-8")
    assert committed == schema.schema_text(), "run: python -m spikedesk.project_files.schema"


def test_check_command(tmp_path, capsys):
    out = tmp_path / "schema.json"
    assert schema.main(["--check", "-o", str(out)]) == 1
    assert schema.main(["-o", str(out)]) == 0
    assert schema.main(["--check", "-o", str(out)]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_validate_against_schema(validator, path):
    validator.validate(json.loads(path.read_text(encoding="utf-8")))


def test_schema_rejects_what_the_format_forbids(validator):
    base = json.loads(PACKAGE.joinpath("examples/brunel.json").read_text(encoding="utf-8"))
    edits = {
        # a model name may be a copy model's (validation checks it names one): not a number
        "model not a name": lambda d: d["nodes"][0].update(model=3),
        "copy model shadows": lambda d: d.update(copy_models={"iaf_psc_delta": {"model": "x"}}),
        "synapse param unknown": lambda d: d["connections"][0]["synapse"].update(
            params={"tau_plus": 1.0}
        ),
        "unknown param": lambda d: d["nodes"][1]["params"].update(tau_x=1.0),
        "bad random": lambda d: d["nodes"][1]["params"].update(V_m={"random": "normal", "mean": 0}),
        "size 0": lambda d: d["nodes"][1].update(size=0),
        "unknown rule": lambda d: d["connections"][0]["rule"].update(rule="ring"),
        "missing indegree": lambda d: d["connections"][0]["rule"].pop("indegree"),
        "newer version": lambda d: d.update(version=99),
        "bad format": lambda d: d.update(format="other"),
    }
    for name, edit in edits.items():
        data = copy.deepcopy(base)
        edit(data)
        assert not validator.is_valid(data), name
