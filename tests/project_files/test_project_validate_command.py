"""``spikedesk validate``: OK lines, every problem, exit status, unreadable files."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

from spikedesk.app.cli import main

BRUNEL = str(resources.files("spikedesk.project_files").joinpath("examples/brunel.json"))


def test_valid_file(capsys):
    assert main(["validate", BRUNEL]) == 0
    assert capsys.readouterr().out == f"{BRUNEL}: OK\n"


def test_problems_missing_file_and_bad_json(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "spikedesk-project",
                "version": 1,
                "nodes": [{"id": "n", "model": "iaf_psc_alpha", "params": {"tau_m": -5}}],
                "connections": [{"id": "c", "source": "n", "target": "ghost"}],
            }
        )
    )
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "spikedesk-project",\n"version": 1,,}')
    missing = tmp_path / "missing.json"
    assert main(["validate", BRUNEL, str(bad), str(broken), str(missing)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [f"{BRUNEL}: OK"]
    assert captured.err.splitlines() == [
        f"spikedesk: error: {bad}: 2 problems",
        "  nodes[0].params.tau_m: must be > 0, got -5",
        '  connections[0].target: no node has the id "ghost"',
        f"spikedesk: error: {broken}: 1 problem",
        "  invalid JSON: Expecting property name enclosed in double quotes (line 2, column 14)",
        f"spikedesk: error: {missing}: no such file",
    ]


def test_directory_and_binary_file(tmp_path, capsys):
    binary = tmp_path / "x.json"
    binary.write_bytes(b"\xff\xfe\x00")
    assert main(["validate", str(tmp_path), str(binary)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"spikedesk: error: {tmp_path}: is a directory, not a project file",
        f"spikedesk: error: {binary}: not a text file (UTF-8 decoding failed at byte 0)",
    ]


def test_console_command_exit_status():
    ok = subprocess.run(
        [sys.executable, "-m", "spikedesk.app.cli", "validate", BRUNEL],
        capture_output=True,
        text=True,
    )
    assert (ok.returncode, ok.stdout) == (0, f"{BRUNEL}: OK\n")
