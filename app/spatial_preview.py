"""The preview of a spatial connection around one driver neuron: which candidates lie in
its mask and the probability (or kernel weight) ``p`` of each, computed by the engine's own
masks and parameter evaluator (``_core.spatial_preview``), drawn as a Bokeh scatter (3D
layers: seen from above, x-y).

The driver is a source neuron (pairwise_bernoulli, fixed_outdegree: NEST's mask selects the
targets around each source) or a target neuron (pairwise_bernoulli with use_on_source,
fixed_indegree: the candidates are sources).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from bokeh.models import ColorBar, ColumnDataSource, LinearColorMapper
from bokeh.palettes import Viridis256
from bokeh.plotting import figure
from spikedesk.engine import _core
from spikedesk.engine.driver import layers
from spikedesk.project_files import parameters, spatial
from spikedesk.project_files.project import Project


@dataclass(frozen=True)
class Preview:
    candidates: np.ndarray  # (n, dims) positions of the candidate neurons
    inside: np.ndarray  # bool per candidate: in the mask
    p: np.ndarray  # p (pairwise_bernoulli) or kernel weight per candidate
    driver: np.ndarray  # the driver neuron's position
    driver_index: int
    driver_node: str
    candidate_node: str
    driver_is_source: bool


def preview(project: Project, conn_id: str, driver: int | None = None) -> Preview:
    """The rule of connection ``conn_id`` around driver neuron ``driver`` (index in the
    driving node; default: the one nearest the layer's centre). Raises ``ValueError`` when
    the connection is not between spatial nodes."""
    conn = next(c for c in project.connections if c.id == conn_id)
    nodes = {n.id: n for n in project.nodes}
    if nodes[conn.source].spatial is None or nodes[conn.target].spatial is None:
        raise ValueError("a preview needs two spatial nodes")
    rule = conn.rule
    on_source = spatial.mask_on_targets(rule.rule, bool(rule.params.get("use_on_source")))
    placed = layers(project)
    driver_node, pool_node = (conn.source, conn.target) if on_source else (conn.target, conn.source)
    drivers = np.asarray(placed[driver_node].positions)
    others = np.asarray(placed[pool_node].positions)
    if driver is None:
        centre = (drivers.min(axis=0) + drivers.max(axis=0)) / 2
        driver = int(np.argmin(((drivers - centre) ** 2).sum(axis=1)))
    if not 0 <= driver < len(drivers):
        raise ValueError(f"neuron {driver} is outside {driver_node} (size {len(drivers)})")
    pool = placed[pool_node]
    p = rule.params.get("p", 1.0)
    if isinstance(p, (parameters.Expression, str)):
        text = parameters.source_of(p)
        p = parameters.program(parameters.parse(text, where=parameters.CONNECTION, spatial=True))
    mask = spatial.thaw(rule.params["mask"]) if "mask" in rule.params else None
    out = _core.spatial_preview(
        mask, p if isinstance(p, list) else float(p), others, drivers[driver].tolist(),
        list(pool.extent), pool.edge_wrap, driver_is_source=on_source,
        seed=project.simulation.seed,
    )  # fmt: skip
    return Preview(
        candidates=others,
        inside=np.asarray(out["inside"]) > 0,
        p=np.asarray(out["p"]),
        driver=drivers[driver],
        driver_index=driver,
        driver_node=driver_node,
        candidate_node=pool_node,
        driver_is_source=on_source,
    )


def preview_figure(pv: Preview, labels: dict[str, str] | None = None, height: int = 280):
    """Candidates coloured by p inside the mask (grey outside), the driver as a red cross."""
    labels = labels or {}
    fig = figure(
        name="mask-preview",
        height=height,
        sizing_mode="stretch_width",
        match_aspect=True,
        tools="pan,wheel_zoom,reset,save",
        title=f"{int(pv.inside.sum())} of {len(pv.inside)} "
        f"{labels.get(pv.candidate_node, pv.candidate_node)} in the mask of "
        f"{labels.get(pv.driver_node, pv.driver_node)}[{pv.driver_index}]",
    )
    inside = pv.inside
    top = float(pv.p[inside].max()) if inside.any() else 1.0
    mapper = LinearColorMapper(palette=Viridis256, low=0.0, high=max(top, 1e-12))
    fig.scatter(pv.candidates[~inside, 0], pv.candidates[~inside, 1], size=4, color="#cccccc")
    source = ColumnDataSource(
        {"x": pv.candidates[inside, 0], "y": pv.candidates[inside, 1], "p": pv.p[inside]}
    )
    fig.scatter("x", "y", source=source, size=6, color={"field": "p", "transform": mapper})
    fig.scatter([pv.driver[0]], [pv.driver[1]], marker="x", size=14, line_width=3, color="red")
    fig.add_layout(ColorBar(color_mapper=mapper, title="p", width=8), "right")
    return fig
