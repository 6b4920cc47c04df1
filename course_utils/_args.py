"""Checks of arguments shared across the package: each failure is one sentence that says what to pass.

A failure is an :class:`~course_utils.errors.SettingError` (a ``ValueError`` too), which a notebook
shows as one line.
"""

from __future__ import annotations

import numpy as np

from .errors import SettingError


def positive_int(value, name: str, example: str) -> int:
    """``value`` as an int if it is a whole number >= 1 (not a bool), else a SettingError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise SettingError(f"{name} must be a whole number >= 1, like {example}; got {value!r}.")
    return int(value)


def seed(value) -> int:
    """``value`` as an int if it is a whole number >= 0 (a random seed), else a SettingError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise SettingError(f"seed must be a whole number >= 0, like seed=0; got {value!r}.")
    return int(value)


def is_number(value) -> bool:
    """A finite real number, not a bool and not a string: what weights, rates and scales must be."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)) \
        and bool(np.isfinite(value))


def weight(value, name: str, example: str) -> float:
    """``value`` as a float if it is a finite number >= 0 (a loss weight), else a SettingError naming ``name``."""
    if isinstance(value, np.ndarray) and value.ndim == 0:  # np.float64(...) ** 2 and the like
        value = value.item()
    if not is_number(value) or value < 0:
        raise SettingError(f"{name} must be a number >= 0, like {example}; got {value!r}.")
    return float(value)


def choice(value, allowed, name: str) -> str:
    """``value`` if it is one of the strings ``allowed``, else a SettingError that lists them."""
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise SettingError(f"{name} must be one of {options}, like {name}={allowed[0]!r}; got {value!r}.")
    return value
