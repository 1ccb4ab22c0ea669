"""docs/model-reference.md documents every catalog model with an up-to-date parameter table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_model_reference_tables_current() -> None:
    script = ROOT / "tools" / "reference" / "model_reference_tables.py"
    proc = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
