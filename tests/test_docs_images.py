"""Every image the docs and the README show is committed (the UI tests write fresh ones to a
build folder; tools/update_screenshots.sh copies them into docs/screenshots)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_image_in_the_docs_exists():
    missing = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if "://" not in target and not (page.parent / target).is_file():
                missing.append(f"{page.relative_to(ROOT)}: {target}")
    assert missing == []
