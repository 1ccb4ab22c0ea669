"""Spatial nodes and connections through the Python API: NEST's grid positions, each mask's
pool computed independently in NumPy (p = 1: the synapses are exactly the pairs inside),
edge wrap, anchors, use_on_source, kernels, expressions of the pair, and identical results
for 1/2/4 threads and 2 ranks. Statistics against NEST: tests/validation."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from spikedesk.engine import connections, positions
from spikedesk.engine.driver import _Run
from spikedesk.engine.errors import EngineError
from spikedesk.project_files import io


def grid(shape, extent=(1.0, 1.0), center=None, wrap=False) -> dict:
    body = {"shape": list(shape), "extent": list(extent), "edge_wrap": wrap}
    if center is not None:
        body["center"] = list(center)
    return {"grid": body}


def project(
    rule: dict, layer_a: dict, layer_b: dict | None = None, synapse=None, seed=1, target="B"
):
    data = {
        "format": "spikedesk-project",
        "version": 3,
        "simulation": {"seed": seed},
        "nodes": [
            {"id": "A", "model": "iaf_psc_alpha", "spatial": layer_a},
            {"id": "B", "model": "iaf_psc_alpha", "spatial": layer_b or layer_a},
        ],
        "connections": [{"id": "c", "source": "A", "target": target, "rule": rule}],
    }
    if synapse:
        data["connections"][0]["synapse"] = synapse
    return io.from_dict(data)


def pairs(p, threads=1) -> set[tuple[int, int]]:
    """The (source index, target index) pairs of connection c."""
    table = connections(p, threads=threads)["c"]
    nb = p.nodes[0].size
    return set(
        zip((table["sources"] - 1).tolist(), (table["targets"] - 1 - nb).tolist(), strict=False)
    )


def displacements(src: np.ndarray, tgt: np.ndarray, extent=None) -> np.ndarray:
    """d[s, t] = source s minus target t (periodic: the nearest image)."""
    d = src[:, None, :] - tgt[None, :, :]
    if extent is not None:
        e = np.asarray(extent)
        d = d - e * np.round(d / e)
    return d


def expected(inside: np.ndarray) -> set[tuple[int, int]]:
    s, t = np.nonzero(inside)
    return set(zip(s.tolist(), t.tolist(), strict=False))


def test_grid_positions_are_nests_column_major_from_the_top_left():
    p = project({"rule": "all_to_all"}, grid((4, 3), extent=(2.0, 1.5), center=(1.0, -1.0)))
    pos = positions(p)["A"]
    assert pos.shape == (12, 2)
    # NEST: neuron i is column i // rows, row i % rows; x from the left, y from the top
    dx, dy = 2.0 / 4, 1.5 / 3
    for i in range(12):
        col, row = divmod(i, 3)
        assert pos[i, 0] == pytest.approx(1.0 - 1.0 + dx * (col + 0.5))
        assert pos[i, 1] == pytest.approx(-1.0 + 0.75 - dy * (row + 0.5))


def test_3d_grid_and_free_positions():
    p = project({"rule": "all_to_all"}, grid((2, 3, 4), extent=(1.0, 1.0, 1.0)))
    pos = positions(p)["A"]
    # depth is the fastest index, then rows, then columns
    assert pos.shape == (24, 3)
    assert pos[1, 2] - pos[0, 2] == pytest.approx(0.25)
    assert pos[4, 1] - pos[0, 1] == pytest.approx(-1.0 / 3)
    assert pos[12, 0] - pos[0, 0] == pytest.approx(0.5)
    free = {"free": {"pos": "random.uniform(min=-0.5, max=0.5)", "num_dimensions": 3}}
    data = io.to_dict(project({"rule": "all_to_all"}, free))
    data["nodes"][0]["size"] = data["nodes"][1]["size"] = 500
    p = io.from_dict(data)
    pos = positions(p)["A"]
    assert pos.shape == (500, 3) and -0.5 <= pos.min() and pos.max() < 0.5
    assert abs(pos.mean()) < 0.03 and pos.std() == pytest.approx(1 / math.sqrt(12), rel=0.05)
    assert not np.array_equal(pos, positions(p)["B"])  # each node draws its own
    assert np.array_equal(pos, positions(p)["A"])  # the same seed gives the same layer


# (mask edges never fall on grid spacings: no pair is decided by rounding)
MASKS_2D = [
    ({"circular": {"radius": 0.25}}, lambda d: np.hypot(d[..., 0], d[..., 1]) <= 0.25),
    (
        {"rectangular": {"lower_left": [-0.21, -0.12], "upper_right": [0.33, 0.17]}},
        lambda d: (
            (d[..., 0] >= -0.21) & (d[..., 0] <= 0.33) & (d[..., 1] >= -0.12) & (d[..., 1] <= 0.17)
        ),
    ),
    (
        {"doughnut": {"inner_radius": 0.105, "outer_radius": 0.305}},
        lambda d: (
            (np.hypot(d[..., 0], d[..., 1]) <= 0.305) & (np.hypot(d[..., 0], d[..., 1]) > 0.105)
        ),
    ),
    (
        {"elliptical": {"major_axis": 0.6, "minor_axis": 0.2, "azimuth_angle": 30.0}},
        lambda d: (
            ((d[..., 0] * math.cos(math.pi / 6) + d[..., 1] * math.sin(math.pi / 6)) / 0.3) ** 2
            + ((-d[..., 0] * math.sin(math.pi / 6) + d[..., 1] * math.cos(math.pi / 6)) / 0.1) ** 2
            <= 1
        ),
    ),
]


@pytest.mark.parametrize("wrap", [False, True])
@pytest.mark.parametrize(("mask", "inside"), MASKS_2D, ids=[next(iter(m)) for m, _ in MASKS_2D])
def test_each_mask_selects_exactly_the_pairs_inside(mask, inside, wrap):
    layer = grid((13, 11), extent=(1.3, 1.1), wrap=wrap)
    p = project({"rule": "pairwise_bernoulli", "p": 1.0, "mask": mask}, layer)
    pos = positions(p)["A"]
    d = -displacements(pos, pos, (1.3, 1.1) if wrap else None)  # target - source
    assert pairs(p) == expected(inside(d))  # no draw decides: p = 1
    assert pairs(p, threads=3) == pairs(p)


def test_anchor_shifts_the_mask_and_use_on_source_mirrors_it():
    """NEST 3.10 (measured, tests/data/reference/README.md): pairwise_bernoulli's mask
    selects the targets around each source (target - source - anchor in the mask);
    use_on_source applies it to the sources around each target."""
    layer = grid((15, 15))
    mask = {"circular": {"radius": 0.15}, "anchor": [0.2, -0.1]}
    p = project({"rule": "pairwise_bernoulli", "p": 1.0, "mask": mask}, layer)
    pos = positions(p)["A"]
    d = displacements(pos, pos)  # source - target
    near = lambda d: np.hypot(d[..., 0] - 0.2, d[..., 1] + 0.1) <= 0.15 + 1e-12  # noqa: E731
    assert pairs(p) == expected(near(-d))  # targets around source + anchor
    on_source = project(
        {"rule": "pairwise_bernoulli", "p": 1.0, "mask": mask, "use_on_source": True}, layer
    )
    assert pairs(on_source) == expected(near(d))  # sources around target + anchor


def test_3d_masks():
    layer = grid((7, 7, 7), extent=(1.0, 1.0, 1.0))
    cases = [
        ({"spherical": {"radius": 0.3}}, lambda d: np.linalg.norm(d, axis=-1) <= 0.3),
        (
            {"box": {"lower_left": [-0.2, -0.1, -0.3], "upper_right": [0.1, 0.3, 0.0]}},
            lambda d: np.all((d >= [-0.2, -0.1, -0.3]) & (d <= [0.1, 0.3, 0.0]), axis=-1),
        ),
        (
            {"ellipsoidal": {"major_axis": 0.6, "minor_axis": 0.3, "polar_axis": 0.4}},
            lambda d: (
                (d[..., 0] / 0.3) ** 2 + (d[..., 1] / 0.15) ** 2 + (d[..., 2] / 0.2) ** 2 <= 1
            ),
        ),
    ]
    for mask, inside in cases:
        p = project({"rule": "pairwise_bernoulli", "p": 1.0, "mask": mask}, layer)
        pos = positions(p)["A"]
        assert pairs(p) == expected(inside(-displacements(pos, pos))), mask


def test_rotated_box_matches_the_rotation():
    layer = grid((21, 21))
    mask = {"rectangular": {"lower_left": [-0.3, -0.05], "upper_right": [0.3, 0.05]},
            "anchor": [0.0, 0.0]}  # fmt: skip
    mask["rectangular"]["azimuth_angle"] = 90.0  # a horizontal bar turned upright
    p = project({"rule": "pairwise_bernoulli", "p": 1.0, "mask": mask}, layer)
    pos = positions(p)["A"]
    d = displacements(pos, pos)
    upright = (np.abs(d[..., 0]) <= 0.05 + 1e-9) & (np.abs(d[..., 1]) <= 0.3 + 1e-9)
    assert pairs(p) == expected(upright)


def test_kernel_probability_and_pair_expressions():
    layer = grid((20, 20), wrap=True)
    rule = {"rule": "pairwise_bernoulli",
            "p": "0.9 * spatial_distributions.gaussian(spatial.distance, std=0.15)",
            "mask": {"circular": {"radius": 0.45}}}  # fmt: skip
    syn = {"weight": "1.0 + 5.0 * spatial.distance", "delay": "0.5 + 2.0 * spatial.distance.x"}
    p = project(rule, layer, synapse=syn, seed=3)
    table = connections(p)["c"]
    pos = positions(p)["A"]
    s, t = table["sources"] - 1, table["targets"] - 401
    d = displacements(pos, pos, (1.0, 1.0))[s, t]
    dist = np.hypot(d[:, 0], d[:, 1])
    np.testing.assert_allclose(table["weights"], 1.0 + 5.0 * dist, rtol=1e-12)
    # delays: whole steps of 0.1 ms (|dx| is a multiple of 0.05: no ties in the rounding)
    np.testing.assert_allclose(table["delays"], np.round((0.5 + 2 * np.abs(d[:, 0])) * 10) / 10)
    # the number of synapses: the sum of p over all pairs in the mask (a Bernoulli sum)
    all_d = displacements(pos, pos, (1.0, 1.0))
    r = np.hypot(all_d[..., 0], all_d[..., 1])
    prob = np.where(r <= 0.45, 0.9 * np.exp(-(r**2) / (2 * 0.15**2)), 0.0)
    mean, sd = prob.sum(), math.sqrt((prob * (1 - prob)).sum())
    assert abs(len(s) - mean) < 5 * sd


def test_fixed_indegree_with_mask_and_kernel():
    layer = grid((15, 15), wrap=True)
    rule = {"rule": "fixed_indegree", "indegree": 30, "allow_multapses": False,
            "p": "spatial_distributions.exponential(spatial.distance, beta=0.1)",
            "mask": {"circular": {"radius": 0.3}}}  # fmt: skip
    p = project(rule, layer)
    table = connections(p)["c"]
    targets = table["targets"] - 226
    assert np.all(np.bincount(targets, minlength=225) == 30)
    pos = positions(p)["A"]
    d = displacements(pos, pos, (1.0, 1.0))[table["sources"] - 1, targets]
    dist = np.hypot(d[:, 0], d[:, 1])
    assert dist.max() <= 0.3 + 1e-12
    assert len(set(zip(table["sources"].tolist(), targets.tolist(), strict=False))) == len(targets)
    # the kernel prefers near sources: more of them than the pool's share
    near_share = np.mean(dist < 0.15)
    pool = np.hypot(*displacements(pos, pos, (1.0, 1.0))[:, 0].T)
    pool_share = np.mean(pool[pool <= 0.3] < 0.15)
    assert near_share > pool_share + 0.1


def test_fixed_outdegree_with_mask():
    layer = grid((12, 12))
    square = {"lower_left": [-0.25, -0.25], "upper_right": [0.25, 0.25]}
    rule = {"rule": "fixed_outdegree", "outdegree": 5, "allow_autapses": False,
            "mask": {"rectangular": square}}  # fmt: skip
    p = project(rule, layer, target="A")  # onto its own node: autapses are possible
    table = connections(p)["c"]
    sources, targets = table["sources"] - 1, table["targets"] - 1
    assert np.all(np.bincount(sources, minlength=144) == 5)
    pos = positions(p)["A"]
    d = pos[targets] - pos[sources]
    assert np.all(np.abs(d) <= 0.25 + 1e-12)
    assert not np.any(targets == sources)


def test_threads_and_ranks_give_the_same_synapses():
    layer = grid((16, 16), wrap=True)
    rules = [
        {"rule": "pairwise_bernoulli",
         "p": "0.8 * spatial_distributions.gaussian(spatial.distance, std=0.2)",
         "mask": {"circular": {"radius": 0.4}}},
        {"rule": "fixed_indegree", "indegree": 12, "p": "1.0 - spatial.distance",
         "mask": {"doughnut": {"inner_radius": 0.05, "outer_radius": 0.35}}},
        {"rule": "fixed_outdegree", "outdegree": 8,
         "mask": {"elliptical": {"major_axis": 0.5, "minor_axis": 0.3, "azimuth_angle": 45.0}}},
        {"rule": "pairwise_bernoulli", "p": 0.3, "use_on_source": True,
         "mask": {"circular": {"radius": 0.2}, "anchor": [0.1, 0.0]}},
    ]  # fmt: skip
    syn = {"weight": "1.0 + spatial.distance + random.uniform()"}
    for rule in rules:
        p = project(rule, layer, synapse=syn, seed=5)
        base = connections(p)["c"]
        assert len(base["sources"]) > 100
        for threads in (2, 4):
            other = connections(p, threads=threads)["c"]
            for k in base:
                np.testing.assert_array_equal(base[k], other[k], err_msg=f"{rule} {threads}: {k}")
        ranks = [_Run(p, 1, None, None, rank=r, n_ranks=2) for r in range(2)]
        parts = [r.connections()["c"] for r in ranks]
        merged = {k: np.concatenate([part[k] for part in parts]) for k in base}
        order = np.lexsort((merged["targets"], merged["sources"]))
        for k in base:
            np.testing.assert_array_equal(base[k], merged[k][order], err_msg=f"2 ranks: {rule} {k}")


def test_node_parameters_of_the_position():
    data = io.to_dict(project({"rule": "all_to_all"}, grid((5, 4))))
    data["nodes"][0]["params"] = {"V_m": "-70.0 + 10.0 * spatial.pos.x", "I_e": "spatial.pos.y"}
    p = io.from_dict(data)
    run = _Run(p, None, None, 0.1)
    pos = run.positions["A"]
    from spikedesk.engine.driver import _node_params

    params, _, _ = _node_params(run.net, p.nodes[0], 1, pos)
    np.testing.assert_allclose(params["V_m"], -70.0 + 10.0 * pos[:, 0])
    np.testing.assert_allclose(params["I_e"], pos[:, 1])


def test_errors_name_the_connection_and_what_is_wrong():
    layer = grid((5, 5))
    tight = project({"rule": "fixed_indegree", "indegree": 9, "allow_multapses": False,
                     "mask": {"circular": {"radius": 0.15}}}, layer)  # fmt: skip
    with pytest.raises(EngineError, match=r"c\.rule.*not enough sources inside the mask"):
        connections(tight)
    bar = {"lower_left": [-0.55, -0.05], "upper_right": [0.55, 0.05]}
    with pytest.raises(Exception, match=r"mask is wider than the layer along x \(1\.1 > 1\)"):
        project({"rule": "pairwise_bernoulli", "p": 1.0, "mask": {"rectangular": bar}},
                grid((5, 5), wrap=True))  # fmt: skip
    # a turned box: its box is the engine's to compute (1.0026 > 1 here)
    turned = project({"rule": "pairwise_bernoulli", "p": 1.0,
                      "mask": {"rectangular": {**bar, "azimuth_angle": 30.0}}},
                     grid((5, 5), wrap=True))  # fmt: skip
    with pytest.raises(EngineError, match=r"c\.rule\.mask.*wider than the layer"):
        connections(turned)
    data = io.to_dict(project({"rule": "all_to_all"}, layer))
    data["connections"][0]["rule"] = {"rule": "pairwise_bernoulli", "p": 1.0,
                                      "mask": {"spherical": {"radius": 0.2}}}  # fmt: skip
    with pytest.raises(Exception, match=r"spherical mask is 3D but the layers are 2D"):
        io.from_dict(data)
    plain = copy.deepcopy(data)
    del plain["nodes"][1]["spatial"]
    plain["connections"][0]["rule"]["mask"] = {"circular": {"radius": 0.2}}
    with pytest.raises(Exception, match=r"mask applies to connections between spatial nodes"):
        io.from_dict(plain)


@pytest.mark.parametrize("wrap", [False, True])
def test_free_layers_select_the_pairs_inside(wrap):
    rng = np.random.default_rng(4)
    points = rng.uniform(-0.5, 0.5, size=(300, 2)).round(6)
    layer = {"free": {"pos": points.tolist(), "extent": [1.0, 1.0], "edge_wrap": wrap}}
    other = {"free": {"pos": (points[:200] * 0.9).tolist(), "extent": [1.0, 1.0],
                      "edge_wrap": wrap}}  # fmt: skip
    mask = {"elliptical": {"major_axis": 0.5, "minor_axis": 0.2, "azimuth_angle": -20.0},
            "anchor": [0.05, 0.1]}  # fmt: skip
    p = project({"rule": "pairwise_bernoulli", "p": 1.0, "mask": mask}, layer, other)
    pos = positions(p)
    np.testing.assert_array_equal(pos["A"], points)
    d = -displacements(pos["A"], pos["B"], (1.0, 1.0) if wrap else None) - [0.05, 0.1]
    a = math.radians(-20.0)
    u = d[..., 0] * math.cos(a) + d[..., 1] * math.sin(a)
    v = -d[..., 0] * math.sin(a) + d[..., 1] * math.cos(a)
    table = connections(p)["c"]
    got = set(zip((table["sources"] - 1).tolist(), (table["targets"] - 301).tolist(), strict=True))
    assert got == expected((u / 0.25) ** 2 + (v / 0.1) ** 2 <= 1)


@pytest.mark.mpi
def test_two_mpi_ranks_write_the_single_process_synapses_and_positions(tmp_path):
    """``mpiexec -n 2 spikedesk connections``: the merged tables and the positions equal the
    single process's, for a masked kernel rule with pair-dependent weights."""
    import subprocess
    import sys
    from pathlib import Path

    mpiexec = Path(sys.executable).parent / "mpiexec"
    if not mpiexec.exists():
        pytest.skip("needs the MPI extra: pip install '.[mpi]'")
    rule = {"rule": "pairwise_bernoulli",
            "p": "0.9 * spatial_distributions.gaussian(spatial.distance, std=0.2)",
            "mask": {"circular": {"radius": 0.35}}}  # fmt: skip
    free = {"free": {"pos": "random.uniform(min=-0.5, max=0.5)", "edge_wrap": True,
                     "extent": [1.0, 1.0]}}  # fmt: skip
    data = io.to_dict(project(rule, grid((9, 9), wrap=True), free,
                              synapse={"weight": "1.0 + spatial.distance"}))  # fmt: skip
    data["nodes"][1]["size"] = 60
    p = io.from_dict(data)
    path = tmp_path / "p.json"
    path.write_text(io.dumps(p))
    single, where = connections(p)["c"], positions(p)
    out = tmp_path / "c.npz"
    spikedesk = Path(sys.executable).parent / "spikedesk"
    proc = subprocess.run(
        [str(mpiexec), "-n", "2", str(spikedesk), "connections", str(path), "-o", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with np.load(out) as saved:
        for field, values in single.items():
            np.testing.assert_array_equal(saved[f"c/{field}"], values)
        for nid in ("A", "B"):
            np.testing.assert_array_equal(saved[f"{nid}/positions"], where[nid])
    assert len(single["sources"]) > 200


def test_the_synapse_estimate_uses_the_layer_the_mask_is_applied_to():
    from spikedesk.engine.driver import estimate_synapses

    rule = {"rule": "pairwise_bernoulli", "p": 1.0, "mask": {"circular": {"radius": 0.1}}}
    small, large = grid((10, 10), extent=(1.0, 1.0)), grid((10, 10), extent=(4.0, 4.0))
    # by default the mask selects targets: the share of the target layer (0.04 / 16)
    assert estimate_synapses(project(rule, small, large)) == pytest.approx(100 * 100 * 0.04 / 16)
    on_source = project({**rule, "use_on_source": True}, small, large)
    assert estimate_synapses(on_source) == pytest.approx(100 * 100 * 0.04)
