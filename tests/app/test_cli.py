"""The ``spikedesk`` command as a user meets it: one error style, flags blamed for their bad
values, ``--version``, a help text, and progress lines when the output is a log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from spikedesk.app.cli import main
from spikedesk.project_files import examples_dir

SPIKEDESK = Path(sys.executable).parent / "spikedesk"
BRUNEL = str(examples_dir() / "brunel.json")


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("spikedesk 0.")


def test_help_explains_the_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for word in ("serve", "run", "validate", "convert", "models", "examples:"):
        assert word in out


@pytest.mark.parametrize(
    "argv, flag",
    [
        (["run", BRUNEL, "--threads", "0"], "--threads"),
        (["run", BRUNEL, "--threads", "100000"], "--threads"),
        (["run", BRUNEL, "--threads", "x"], "--threads"),
        (["run", BRUNEL, "--chunk", "inf"], "--chunk"),
        (["run", BRUNEL, "--chunk", "nan"], "--chunk"),
        (["run", BRUNEL, "--duration", "-1"], "--duration"),
        (["run", BRUNEL, "--seed", "0"], "--seed"),
    ],
)
def test_a_bad_flag_value_is_blamed_on_the_flag(capsys, argv, flag):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"spikedesk: error: argument {flag}:"), err


def test_every_command_reports_a_missing_file_the_same_way(tmp_path, capsys):
    missing = str(tmp_path / "missing.json")
    for argv in (["run", missing], ["validate", missing]):
        assert main(argv) == 1
        assert capsys.readouterr().err == f"spikedesk: error: {missing}: no such file\n"


def test_run_reports_project_problems_in_the_same_style(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    data = json.loads(Path(BRUNEL).read_text())
    data["simulation"] = {"threads": 2**31}
    bad.write_text(json.dumps(data))
    assert main(["run", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"spikedesk: error: {bad}: 1 problem") and "simulation.threads" in err


def test_progress_lines_when_the_output_is_not_a_terminal(tmp_path):
    project = json.loads(Path(BRUNEL).read_text())
    project["simulation"] = {"duration": 20000.0}
    path = tmp_path / "long.json"
    path.write_text(json.dumps(project))
    result = subprocess.run(
        [str(SPIKEDESK), "run", str(path), "--chunk", "500"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if "ms simulated" in ln]
    assert lines and all(ln.startswith("spikedesk: ") for ln in lines), result.stderr
    assert "\r" not in result.stderr
