"""``spikedesk models``: every model is listed under its family and described on its own page."""

from __future__ import annotations

from spikedesk.app.cli import main
from spikedesk.project_files import catalog


def test_the_listing_names_every_model_under_its_family(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    family = None
    seen = {}
    for line in out.splitlines():
        if not line.startswith(" "):
            family = line.rstrip(":")
        else:
            seen[line.split()[0]] = family
    synapses = {name: "Synapses" for name in catalog.synapse_models()}
    assert seen == {name: spec.family for name, spec in catalog.models().items()} | synapses


def test_every_synapse_model_has_a_page_with_common_and_state_marked(capsys):
    for name, params in catalog.synapse_models().items():
        assert main(["models", name]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"{name} (synapse)")
        rows = {line.split()[0]: line for line in out.splitlines()[3:] if line.strip()}
        for param, spec in params.items():
            assert param in rows, (name, param)
            assert ("[common" in rows[param]) == spec.common, (name, param)
            assert ("state]" in rows[param]) == spec.state, (name, param)


def test_every_model_has_a_page_with_its_parameters(capsys):
    for name, spec in catalog.models().items():
        assert main(["models", name]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"{name} ({spec.kind}, {spec.family})")
        for param in spec.params:
            assert any(line.split()[:1] == [param] for line in out.splitlines()), (name, param)
        if spec.recordables:
            assert "recordables: " + ", ".join(spec.recordables) in out
        if spec.weight is not None and spec.weight.unit:
            assert f"[{spec.weight.unit}]" in out


def test_kind_filter_and_unknown_names(capsys):
    assert main(["models", "--kind", "recorder"]) == 0
    listed = {ln.split()[0] for ln in capsys.readouterr().out.splitlines() if ln.startswith(" ")}
    assert listed == {n for n, s in catalog.models().items() if s.kind == "recorder"}
    assert main(["models", "iaf_psc_alfa"]) == 1
    assert "did you mean iaf_psc_alpha" in capsys.readouterr().err
