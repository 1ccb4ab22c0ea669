"""The frame pacer: the next plot update waits for the browser's echo, a minimum gap, or a
browser that has gone quiet."""

from __future__ import annotations

import time

from spikedesk.app import pacing
from spikedesk.app.pacing import FramePacer


def test_an_update_waits_for_the_browser_to_draw_the_last_one():
    pacer = FramePacer()
    assert pacer.ready()  # nothing sent yet
    pacer.mark_sent()
    assert not pacer.ready()
    pacer.drawn = pacer.sent  # what the browser sends back after painting
    assert pacer.ready()
    assert not pacer.ready(min_gap=60.0)  # drawn, but too soon after the last update


def test_a_silent_browser_does_not_stop_updates(monkeypatch):
    pacer = FramePacer()
    pacer.mark_sent()
    assert not pacer.ready()
    later = time.monotonic() + pacing.WAIT_AT_MOST + 0.1
    monkeypatch.setattr(pacing.time, "monotonic", lambda: later)
    assert pacer.ready()  # a hidden tab paints nothing; updates go on at this pace
