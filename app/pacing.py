"""Backpressure for live plots: the server sends the next plot update only after the browser
has drawn the previous one, so a slow browser (software rendering, a weak laptop) gets fewer,
larger updates instead of a growing queue that would freeze the page and delay clicks."""

from __future__ import annotations

import time

import param
from panel.custom import JSComponent

WAIT_AT_MOST = 10.0  # s; a hidden tab draws nothing, updates then go out at this pace


class FramePacer(JSComponent):
    """``sent`` is bumped after each update; the browser echoes it in ``drawn`` once the
    frame after that update has been painted."""

    sent = param.Integer(default=0)
    drawn = param.Integer(default=0)

    _esm = """
export function render({ model, el }) {
  el.style.display = "none";
  model.on("sent", () => {
    const seq = model.sent;
    requestAnimationFrame(() => setTimeout(() => { model.drawn = seq; }, 0));
  });
}
"""

    def __init__(self, **params) -> None:
        super().__init__(width=0, height=0, margin=0, **params)
        self._sent_at = 0.0

    def ready(self, min_gap: float = 0.0) -> bool:
        """True when the browser has drawn the last update and ``min_gap`` seconds have passed
        since it was sent (or the browser has not answered for a while)."""
        since = time.monotonic() - self._sent_at
        return since > WAIT_AT_MOST or (self.drawn >= self.sent and since >= min_gap)

    def mark_sent(self) -> None:
        self._sent_at = time.monotonic()
        self.sent += 1
