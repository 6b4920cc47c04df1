"""Checks of arguments shared across the package: each failure is one sentence that says what to pass."""

from __future__ import annotations

import numpy as np


def positive_int(value, name: str, example: str) -> int:
    """``value`` as an int if it is a whole number >= 1 (not a bool), else ValueError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, like {example}; got {value!r}.")
    return int(value)


def seed(value) -> int:
    """``value`` as an int if it is a whole number >= 0 (a random seed), else ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"seed must be a whole number >= 0, like seed=0; got {value!r}.")
    return int(value)
