"""Serve the studio in the test process on a free port, with a fresh project store; Playwright
drives Debian's Chromium. ``studio.sessions`` holds the Python side of every page served."""

from __future__ import annotations

import pytest
from ui_server import serve


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    served, server = serve(tmp_path_factory.mktemp("projects"))
    yield served
    server.stop()


@pytest.fixture(scope="module")
def studio_url(studio) -> str:
    return studio.url
