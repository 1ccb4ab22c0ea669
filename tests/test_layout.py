"""The test folders have no __init__.py, so pytest imports test modules by their file name:
two test files with one name in different folders break the collection of the whole suite."""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def test_test_file_names_are_unique():
    names = Counter(p.name for p in Path(__file__).parent.rglob("test_*.py"))
    assert [n for n, count in names.items() if count > 1] == []
