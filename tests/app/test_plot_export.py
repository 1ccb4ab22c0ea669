"""Every plot of the app saves itself as PNG and as SVG (two toolbar buttons, named after
the plot)."""

from __future__ import annotations

from bokeh.models import CustomAction, SaveTool
from spikedesk.app.activity import ActivityView
from spikedesk.app.weights_view import WeightsView


def test_every_plot_has_png_and_svg_buttons():
    activity, weights = ActivityView(), WeightsView()
    plots = [
        activity.raster_plot, activity.traces_plot, activity.correlation_plot,
        *activity.analysis.figures.values(), weights.lines_plot, weights.hist_plot,
    ]  # fmt: skip
    plots += [p for p in activity.raster_plot.x_range.references() if hasattr(p, "toolbar")]
    assert len(plots) >= 10
    for plot in plots:
        save = plot.select_one(SaveTool)
        svg = [t for t in plot.toolbar.tools if isinstance(t, CustomAction)]
        assert save is not None and save.description == "Save as PNG", plot.title.text
        assert len(svg) == 1 and svg[0].description == "Save as SVG", plot.title.text
        assert svg[0].callback.args["name"] == save.filename
        assert plot.toolbar.logo is None
    assert activity.raster_plot.select_one(SaveTool).filename == "spike-raster"
