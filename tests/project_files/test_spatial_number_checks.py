"""Layer and mask numbers beyond any float are refused with a message, not an exception
(the fuzzer's find: a mask radius of 10**400)."""

from __future__ import annotations

from spikedesk.project_files import spatial


def test_huge_integers_are_no_numbers():
    problems = []
    mask = {"circular": {"radius": 10**400}}
    assert not spatial.check_mask(lambda path, msg: problems.append((path, msg)), mask, "m", 2)
    assert problems == [("m.circular.radius", f"must be a number, got {10**400!r:.40}")]
    problems.clear()
    layer = {"grid": {"shape": [2, 2], "extent": [10**400, 1.0]}}
    assert spatial.check_layer(lambda path, msg: problems.append((path, msg)), layer, "s") is None
    assert problems and problems[0][0] == "s.grid.extent"
