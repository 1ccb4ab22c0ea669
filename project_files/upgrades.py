"""Upgrades of old project files, one format version at a time.

Each step ``upgrade_N_to_M`` takes the JSON dict of version N and returns the dict of version
N + 1; ``UPGRADES`` maps N to that step. Loading applies the chain from the file's version up to
``FORMAT_VERSION`` before validating, like NEST Desktop's ``upgrade_30_to_31``.

- 1 -> 2: version 2 adds ``copy_models`` and ``synapse.params`` (plastic synapses); every
  version-1 file is a valid version-2 file as it is, so the step only bumps the number.
- 2 -> 3: version 3 adds spatial layers (node ``spatial``), the spatial rule keys (``mask``,
  ``use_on_source``, ``p`` as an expression) and expressions as parameter values; a version-2
  file is a valid version-3 file as it is.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from .project import FORMAT_VERSION

Step = Callable[[dict], dict]


def upgrade_1_to_2(data: dict) -> dict:
    """Nothing to change: version 2 only adds optional keys (copy_models, synapse.params)."""
    return data


def upgrade_2_to_3(data: dict) -> dict:
    """Nothing to change: version 3 only adds optional keys and value forms."""
    return data


# version N -> the function turning a version-N dict into a version-(N+1) dict
UPGRADES: Mapping[int, Step] = MappingProxyType({1: upgrade_1_to_2, 2: upgrade_2_to_3})


class UpgradeError(ValueError):
    """The chain has no step from some version (a bug in this build, never a user error)."""


def upgrade(data: Any, steps: Mapping[int, Step] = UPGRADES, target: int = FORMAT_VERSION) -> Any:
    """Return ``data`` upgraded to ``target``; the input is never modified.

    Anything that is not an upgradable dict (no integer version, or a version newer than
    ``target``) is returned unchanged so that validation can report it with its path.
    """
    if not isinstance(data, dict):
        return data
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version >= target:
        return data
    if version < 1:
        return data
    data = copy.deepcopy(data)
    while version < target:
        step = steps.get(version)
        if step is None:
            raise UpgradeError(f"no upgrade step from format version {version} to {version + 1}")
        data = step(data)
        version += 1
        data["version"] = version
    return data
