"""The spikedesk project file format: objects, load/validate/save, import and export."""

from pathlib import Path


def examples_dir() -> Path:
    """The folder of the example projects shipped with spikedesk."""
    return Path(__file__).resolve().parent / "examples"
