"""Upgrades of old project files, one format version at a time.

Each step ``upgrade_N_to_M`` takes the JSON dict of version N and returns the dict of version
N + 1; ``UPGRADES`` maps N to that step. Loading applies the chain from the file's version up to
``FORMAT_VERSION`` before validating. Version 1 is the first format, so the chain is empty;
the machinery is here (and tested) so version 2 only has to add its step, like NEST Desktop's
``upgrade_30_to_31``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from .project import FORMAT_VERSION

Step = Callable[[dict], dict]

# version N -> the function turning a version-N dict into a version-(N+1) dict
UPGRADES: Mapping[int, Step] = MappingProxyType({})


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
