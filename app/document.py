"""Changes to Bokeh models belong on the session's document thread, under its lock.

Widget callbacks (a button click, a select) may run without that lock, and changing a
ColumnDataSource there fails now and then ("_pending_writes should be non-None ..."), so
such changes go through ``on_document``.
"""

from __future__ import annotations

from collections.abc import Callable

import panel as pn


def on_document(change: Callable[[], None]) -> None:
    """Run ``change`` on the next tick of the session's document (with its lock); at once
    when there is no session (tests, scripts)."""
    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        change()
    else:
        doc.add_next_tick_callback(change)


def later(seconds: float, change: Callable[[], None]) -> None:
    """Run ``change`` on the session's document after ``seconds`` (at once without one)."""
    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        change()
    else:
        doc.add_next_tick_callback(lambda: doc.add_timeout_callback(change, int(seconds * 1000)))
