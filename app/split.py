"""A resizable split: two panes one above the other (the network editor and the live
activity), or one of them full-size. The browser reports where the divider was dropped."""

from __future__ import annotations

import param
from panel.custom import Child, JSComponent
from spikedesk.app.canvas import _asset

CSS = """
:host { display: block; width: 100%; height: 100%; }
.sd-split { display: flex; flex-direction: column; width: 100%; height: 100%; min-height: 0; }
.sd-pane { position: relative; min-height: 0; overflow: auto; display: flex; }
.sd-pane > * { flex: 1 1 auto; min-width: 0; }
.sd-first { overflow: hidden; }
.sd-divider {
  flex: 0 0 8px; cursor: row-resize; background: #e9ecef; border-radius: 3px; margin: 2px 0;
  touch-action: none;
}
.sd-divider:hover, .sd-divider:focus-visible, .sd-split.dragging .sd-divider {
  background: #86b7fe; outline: none;
}
.sd-split.dragging { user-select: none; cursor: row-resize; }
"""


class SplitView(JSComponent):
    """``first`` above ``second``; ``ratio`` is the first pane's share of the height."""

    first = Child()
    second = Child()
    ratio = param.Number(default=0.5, bounds=(0.15, 0.85))
    mode = param.Selector(default="split", objects=["split", "first", "second"])

    _esm = _asset("split.js")
    _stylesheets = [CSS]
