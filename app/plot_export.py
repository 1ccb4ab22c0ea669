"""Every plot saves itself as PNG and as SVG from its toolbar.

Bokeh's SaveTool writes a PNG of what is on screen. The SVG button asks the plot's view in
the browser to paint itself once more into an SVG context (BokehJS's ``PlotView.export``),
the way the SaveTool paints a PNG; glyphs drawn with WebGL on screen (the raster) are painted
as vector shapes for that one export, so the file holds every point, not a picture of them.
Nothing goes through the server, and nothing needs a browser driver on the server.
"""

from __future__ import annotations

from bokeh.models import CustomAction, CustomJS, SaveTool

SVG_ICON = (
    "data:image/svg+xml;utf8,"
    "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'>"
    "<text x='12' y='16' font-size='9' font-family='sans-serif' font-weight='bold' "
    "text-anchor='middle' fill='%23555'>SVG</text></svg>"
)

SAVE_SVG = """
const view = cb_context.index.find_one(plot);
if (view == null) return;
const vectors = [];  // WebGL glyphs painted as shapes for the export
for (const rv of view.renderer_views.values()) {
  const glyph = rv.glyph;
  if (glyph != null && glyph._can_use_webgl) {
    vectors.push(glyph);
    glyph._can_use_webgl = false;
  }
}
let layer;
try {
  layer = view.export("svg");
} finally {
  for (const glyph of vectors) glyph._can_use_webgl = true;
}
return layer.to_blob().then((blob) => {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name + ".svg";
  link.target = "_blank";
  link.dispatchEvent(new MouseEvent("click"));
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
});
"""


def exportable(plot, name: str):
    """``plot`` with a PNG (SaveTool) and an SVG button in its toolbar, saving ``name.png``
    and ``name.svg``."""
    save = plot.select_one(SaveTool)
    if save is None:
        save = SaveTool()
        plot.add_tools(save)
    save.filename = name
    save.description = "Save as PNG"
    plot.toolbar.logo = None  # room for every tool in the toolbar beside a short plot
    plot.add_tools(
        CustomAction(
            description="Save as SVG",
            icon=SVG_ICON,
            callback=CustomJS(args={"plot": plot, "name": name}, code=SAVE_SVG),
        )
    )
    return plot
