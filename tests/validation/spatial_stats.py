"""Spatial connection statistics shared by the NEST generator
(tools/reference/make_spatial_statistics.py, which imports this file by its path) and the
engine's test (tests/validation/test_nest_spatial_statistics.py), so both compute exactly the
same numbers from the same cases.

A case is a small spikedesk project (format version 3, as a dict) with one connection ``"c"``
between spatial nodes, plus ``rmax``: the histogram of the distances of connected pairs has
``BINS`` equal bins on [0, rmax] and one more for anything beyond (NEST never connects beyond a
mask, so that bin stays empty). Distances are between the neurons' positions; with the source
layer's edge wrap the periodic distance over its extent (as NEST's ``compute_displacement``).

Per seed, ``statistics`` gives: the number of connections, the distance histogram, mean/std of
the weights and of the delays, mean/std over the target neurons of their indegree (and over
the source neurons of their outdegree), the mean and covariance of the displacements (target
minus source position; periodic with edge wrap), and for layers drawn from an expression the
mean/std of the positions per dimension. ``grid_samples`` picks the neurons whose positions are kept
exactly for grid layers.
"""

from __future__ import annotations

import copy
import math

import numpy as np

BINS = 12
SEEDS = (1, 2, 3, 4, 5)
EDGE_MARGIN = 1e-9
CONNECTION = "c"

_RNG = np.random.default_rng(20261201)
# 200 fixed free positions in [-0.5, 0.5)^2, rounded so that the JSON holds them exactly
FREE_POINTS = np.round(_RNG.uniform(-0.5, 0.5, size=(200, 2)), 4).tolist()


def _grid(node_id: str, shape: list[int], **kw) -> dict:
    return {"id": node_id, "model": "iaf_psc_alpha", "spatial": {"grid": {"shape": shape, **kw}}}


def _free(node_id: str, pos, size: int | None = None, **kw) -> dict:
    node = {"id": node_id, "model": "iaf_psc_alpha", "spatial": {"free": {"pos": pos, **kw}}}
    if size is not None:
        node["size"] = size
    return node


def _project(nodes: list[dict], rule: dict, synapse: dict | None = None, source=None, target=None):
    source = source or nodes[0]["id"]
    target = target or nodes[-1]["id"]
    conn = {"id": CONNECTION, "source": source, "target": target, "rule": rule}
    if synapse:
        conn["synapse"] = synapse
    return {
        "format": "spikedesk-project",
        "version": 3,
        "name": "spatial statistics case",
        "simulation": {"duration": 1.0, "resolution": 0.1, "seed": 1, "threads": 1},
        "nodes": nodes,
        "connections": [conn],
    }


G15 = [15, 15]  # 225 neurons on the unit square: spacing 1/15 (radii avoid multiples of it)
G3D = [6, 6, 6]  # 216 neurons in the unit cube
RANDOM = "random.uniform(min=-0.5, max=0.5)"

CASES: dict[str, dict] = {
    # ---- 2D grids, every 2D mask, p = 1 (the geometry exactly) or p < 1
    "grid_circular": {
        "rmax": 0.3037,
        "project": _project(
            [_grid("L", G15)],
            {"rule": "pairwise_bernoulli", "p": 0.5, "mask": {"circular": {"radius": 0.23}}},
        ),
    },
    "grid_circular_p1": {
        "rmax": 0.3037,
        "project": _project(
            [_grid("L", G15)],
            {"rule": "pairwise_bernoulli", "p": 1.0, "mask": {"circular": {"radius": 0.23}}},
        ),
    },
    "grid_circular_wrap": {
        "rmax": 0.3037,
        "project": _project(
            [_grid("L", G15, edge_wrap=True)],
            {"rule": "pairwise_bernoulli", "p": 0.5, "mask": {"circular": {"radius": 0.23}}},
        ),
    },
    "grid_offcentre": {  # a non-square grid, its own extent and centre; no autapses
        "rmax": 0.2937,
        "project": _project(
            [_grid("L", [12, 8], extent=[1.2, 0.8], center=[0.5, -0.2])],
            {
                "rule": "pairwise_bernoulli",
                "p": 1.0,
                "allow_autapses": False,
                "mask": {"circular": {"radius": 0.21}},
            },
        ),
    },
    "grid_rectangular": {
        "rmax": 0.3037,
        "project": _project(
            [_grid("L", G15)],
            {
                "rule": "pairwise_bernoulli",
                "p": 1.0,
                "mask": {
                    "rectangular": {"lower_left": [-0.21, -0.11], "upper_right": [0.17, 0.13]}
                },
            },
        ),
    },
    "grid_rectangular_azimuth": {
        "rmax": 0.3037,
        "project": _project(
            [_grid("L", G15)],
            {
                "rule": "pairwise_bernoulli",
                "p": 1.0,
                "mask": {
                    "rectangular": {
                        "lower_left": [-0.21, -0.07],
                        "upper_right": [0.21, 0.07],
                        "azimuth_angle": 30.0,
                    }
                },
            },
        ),
    },
    "grid_rectangular_wrap": {
        "rmax": 0.4037,
        "project": _project(
            [_grid("L", G15, edge_wrap=True)],
            {
                "rule": "pairwise_bernoulli",
                "p": 0.6,
                "mask": {
                    "rectangular": {"lower_left": [-0.31, -0.11], "upper_right": [0.31, 0.11]}
                },
            },
        ),
    },
    "grid_doughnut": {
        "rmax": 0.3037,
        "project": _project(
            [_grid("L", G15)],
            {
                "rule": "pairwise_bernoulli",
                "p": 1.0,
                "mask": {"doughnut": {"inner_radius": 0.11, "outer_radius": 0.25}},
            },
        ),
    },
    "grid_elliptical_azimuth": {
        "rmax": 0.3037,
        "project": _project(
            [_grid("L", G15)],
            {
                "rule": "pairwise_bernoulli",
                "p": 1.0,
                "mask": {
                    "elliptical": {"major_axis": 0.5, "minor_axis": 0.22, "azimuth_angle": 45.0}
                },
            },
        ),
    },
    "grid_anchor": {  # two layers; the mask shifted by an anchor
        "rmax": 0.4537,
        "project": _project(
            [_grid("A", G15), _grid("B", [9, 9])],
            {
                "rule": "pairwise_bernoulli",
                "p": 1.0,
                "mask": {"circular": {"radius": 0.16}, "anchor": [0.2, -0.05]},
            },
        ),
    },
    # ---- kernels, use_on_source, fixed in/outdegree, weight and delay expressions
    "gaussian_kernel": {
        "rmax": 0.4537,
        "project": _project(
            [_grid("L", G15)],
            {
                "rule": "pairwise_bernoulli",
                "p": "0.9 * spatial_distributions.gaussian(spatial.distance, std=0.15)",
                "mask": {"circular": {"radius": 0.41}},
            },
        ),
    },
    "use_on_source_anchored": {
        "rmax": 0.4037,
        "project": _project(
            [_grid("A", G15), _grid("B", [9, 9])],
            {
                "rule": "pairwise_bernoulli",
                "p": 0.7,
                "use_on_source": True,
                "mask": {"circular": {"radius": 0.17}, "anchor": [0.15, 0.05]},
            },
        ),
    },
    "fixed_indegree_kernel": {
        "rmax": 0.3537,
        "project": _project(
            [_grid("L", G15)],
            {
                "rule": "fixed_indegree",
                "indegree": 12,
                "p": "spatial_distributions.exponential(spatial.distance, beta=0.1)",
                "mask": {"circular": {"radius": 0.31}},
            },
        ),
    },
    "fixed_indegree_anchor": {  # NEST: the pool of sources is the mask around target + anchor
        "rmax": 0.3537,
        "project": _project(
            [_grid("A", G15), _grid("B", [9, 9])],
            {
                "rule": "fixed_indegree",
                "indegree": 8,
                "mask": {"circular": {"radius": 0.16}, "anchor": [0.15, 0.05]},
            },
        ),
    },
    "fixed_outdegree_mask": {
        "rmax": 0.3537,
        "project": _project(
            [_grid("A", G15), _grid("B", [9, 9])],
            {
                "rule": "fixed_outdegree",
                "outdegree": 10,
                "mask": {
                    "rectangular": {"lower_left": [-0.17, -0.23], "upper_right": [0.23, 0.17]}
                },
            },
        ),
    },
    "weight_delay_distance": {
        "rmax": 0.3537,
        "project": _project(
            [_grid("L", G15)],
            {"rule": "pairwise_bernoulli", "p": 1.0, "mask": {"circular": {"radius": 0.31}}},
            {"weight": "1.0 + 5.0 * spatial.distance", "delay": "0.5 + 4.0 * spatial.distance"},
        ),
    },
    # ---- free layers
    "free_listed_circular": {
        "rmax": 0.2537,
        "project": _project(
            [_free("F", FREE_POINTS)],
            {"rule": "pairwise_bernoulli", "p": 0.3, "mask": {"circular": {"radius": 0.2}}},
        ),
    },
    "free_random_wrap": {
        "rmax": 0.2537,
        "project": _project(
            [_free("F", RANDOM, 200, extent=[1.0, 1.0], edge_wrap=True)],
            {"rule": "pairwise_bernoulli", "p": 0.5, "mask": {"circular": {"radius": 0.2}}},
        ),
    },
    # ---- 3D: grids with every 3D mask, a free layer drawn at random
    "grid3d_spherical": {
        "rmax": 0.3537,
        "project": _project(
            [_grid("L", G3D)],
            {"rule": "pairwise_bernoulli", "p": 0.5, "mask": {"spherical": {"radius": 0.29}}},
        ),
    },
    "grid3d_box_angles": {
        "rmax": 0.4037,
        "project": _project(
            [_grid("L", G3D)],
            {
                "rule": "pairwise_bernoulli",
                "p": 1.0,
                "mask": {
                    "box": {
                        "lower_left": [-0.25, -0.12, -0.09],
                        "upper_right": [0.25, 0.12, 0.09],
                        "azimuth_angle": 30.0,
                        "polar_angle": 20.0,
                    }
                },
            },
        ),
    },
    "grid3d_ellipsoidal": {
        "rmax": 0.4037,
        "project": _project(
            [_grid("L", G3D)],
            {
                "rule": "pairwise_bernoulli",
                "p": 1.0,
                "mask": {
                    "ellipsoidal": {
                        "major_axis": 0.62,
                        "minor_axis": 0.34,
                        "polar_axis": 0.22,
                        "azimuth_angle": 30.0,
                        "polar_angle": 45.0,
                    }
                },
            },
        ),
    },
    "free3d_random": {
        "rmax": 0.3537,
        "project": _project(
            [_free("F", RANDOM, 200, num_dimensions=3)],
            {"rule": "pairwise_bernoulli", "p": 0.8, "mask": {"spherical": {"radius": 0.3}}},
        ),
    },
}


def project_for(case: dict, seed: int) -> dict:
    """The case's project dict with ``seed``."""
    data = copy.deepcopy(case["project"])
    data["simulation"]["seed"] = seed
    return data


def first_gids(data: dict) -> dict[str, tuple[int, int]]:
    """(first global id, size) per node: NEST's numbering, nodes in order from 1."""
    out, gid = {}, 1
    for node in data["nodes"]:
        body = next(iter(node["spatial"].values()))
        if "shape" in body:
            size = math.prod(body["shape"])
        elif isinstance(body["pos"], list):
            size = len(body["pos"])
        else:
            size = node["size"]
        out[node["id"]] = (gid, size)
        gid += size
    return out


def layer_of(data: dict, node_id: str) -> dict:
    node = next(n for n in data["nodes"] if n["id"] == node_id)
    return node["spatial"]


def is_drawn(layer: dict) -> bool:
    """Free positions drawn from an expression (they depend on the seed)."""
    return "free" in layer and isinstance(layer["free"]["pos"], str)


def edges(case: dict) -> np.ndarray:
    return np.append(np.linspace(0.0, case["rmax"], BINS + 1), np.inf)


def displacements(
    source_pos: np.ndarray, target_pos: np.ndarray, extent: np.ndarray | None
) -> np.ndarray:
    """Target minus source position per pair; ``extent``: periodic over it (edge wrap)."""
    d = target_pos - source_pos
    if extent is not None:
        d = d - extent * np.round(d / extent)
    return d


def _moments(values: np.ndarray) -> tuple[float, float]:
    if values.size == 0:
        return 0.0, 0.0
    return float(values.mean()), float(values.std())


def statistics(case: dict, seed: int, table: dict, positions: dict) -> dict:
    """One seed's statistics of connection ``"c"``. ``table``: its ``sources``, ``targets``
    (global ids), ``weights``, ``delays``; ``positions``: {node id: array (n, D)} of the
    connection's nodes (as that seed placed them)."""
    data = project_for(case, seed)
    conn = data["connections"][0]
    gids = first_gids(data)
    (s0, ns), (t0, nt) = gids[conn["source"]], gids[conn["target"]]
    src = np.asarray(table["sources"], dtype=np.int64) - s0
    tgt = np.asarray(table["targets"], dtype=np.int64) - t0
    spos = np.asarray(positions[conn["source"]], dtype=float).reshape(ns, -1)
    tpos = np.asarray(positions[conn["target"]], dtype=float).reshape(nt, -1)
    layer = layer_of(data, conn["source"])
    body = next(iter(layer.values()))
    extent = None
    if body.get("edge_wrap"):
        extent = np.asarray(body.get("extent") or [1.0] * spos.shape[1], dtype=float)
    disp = displacements(spos[src], tpos[tgt], extent)
    dist = np.sqrt((disp * disp).sum(axis=1))
    inner = edges(case)[1:-1]
    margin = float(np.abs(dist[:, None] - inner[None, :]).min()) if dist.size else np.inf
    hist, _ = np.histogram(dist, bins=edges(case))
    indeg = np.bincount(tgt, minlength=nt)
    outdeg = np.bincount(src, minlength=ns)
    out = {
        "n": int(src.size),
        "hist": [int(h) for h in hist],
        # how close a connected pair's distance comes to a bin edge: the generator keeps it
        # clear (>= EDGE_MARGIN), so rounding in the last digit cannot move a pair across
        "edge_margin": margin,
        "weight": _moments(np.asarray(table["weights"], dtype=float)),
        "delay": _moments(np.asarray(table["delays"], dtype=float)),
        "indegree": _moments(indeg.astype(float)),
        "outdegree": _moments(outdeg.astype(float)),
        # where the targets lie around their sources: anchors, orientations, use_on_source
        "displacement_mean": disp.mean(axis=0).tolist() if len(disp) else [],
        "displacement_cov": (
            np.cov(disp.T, bias=True).reshape(-1).tolist() if len(disp) > 1 else []
        ),
    }
    drawn = {}
    for node in data["nodes"]:
        if is_drawn(node["spatial"]):
            pos = np.asarray(positions[node["id"]], dtype=float)
            drawn[node["id"]] = [list(_moments(pos[:, d])) for d in range(pos.shape[1])]
    if drawn:
        out["positions"] = drawn
    return out


def grid_samples(case: dict) -> dict[str, list[int]]:
    """For each grid node: the neurons (0-based) whose positions are kept exactly — the
    first two, the last of the first column, the first of the second column, the last."""
    out = {}
    for node in case["project"]["nodes"]:
        grid = node["spatial"].get("grid")
        if grid is None:
            continue
        shape = grid["shape"]
        n = math.prod(shape)
        per_column = n // shape[0]
        out[node["id"]] = sorted({0, 1, per_column - 1, per_column, n - 1})
    return out
