"""assets/catalog_ui.json names only catalog entries and covers every catalog parameter."""

from __future__ import annotations

import json

import pytest
from spikedesk.project_files import catalog


@pytest.fixture(scope="module")
def ui(repo):
    return json.loads((repo / "assets" / "catalog_ui.json").read_text(encoding="utf-8"))


def test_models_and_params_match_the_catalog(ui):
    assert set(ui["models"]) == set(catalog.models())
    for name, spec in catalog.models().items():
        assert set(ui["models"][name]["params"]) == set(spec.params), name
    assert set(ui["synapses"]) == set(catalog.synapse_models())
    for name, params in catalog.synapse_models().items():
        assert set(ui["synapses"][name]["params"]) == set(params), name


def test_kinds_have_color_and_shape(ui):
    assert set(ui["kinds"]) == {"neuron", "stimulator", "recorder", "other"}
    for hint in ui["kinds"].values():
        assert hint["color"].startswith("#") and len(hint["color"]) == 7
        assert hint["shape"] in {"circle", "triangle", "square"}


def all_entries(ui):
    for name, spec in catalog.models().items():
        for param, pspec in spec.params.items():
            yield f"{name}.{param}", pspec, ui["models"][name]["params"][param]
    for name, params in catalog.synapse_models().items():
        for param, pspec in params.items():
            yield f"{name}.{param}", pspec, ui["synapses"][name]["params"][param]


def test_entries_are_consistent_with_the_catalog(ui):
    for where, spec, entry in all_entries(ui):
        assert entry["label"], where
        assert entry["unit"] == spec.unit, where
        if spec.type in ("float", "int"):
            assert entry["widget"] == "number", where
            assert entry["step"] > 0, where
            lo, hi = entry["min"], entry["max"]
            if lo is not None and hi is not None:
                assert lo < hi, where
            if entry["slider"]:
                assert lo is not None and hi is not None, f"{where}: a slider needs a range"
                assert lo <= spec.default <= hi, f"{where}: default outside the slider range"
        else:
            assert entry["slider"] is False, where
            widgets = {"node"} if spec.type == "node" else {"checkbox", "list", "multiselect"}
            assert entry["widget"] in widgets, where
