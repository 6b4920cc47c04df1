"""Checks of settings, in one place: each failure is one sentence that says what to pass.

Every module of the course checks what a learner passes with these helpers (in the manner of
scikit-image's ``skimage._shared.utils``): each returns the value in its plain Python (or NumPy)
form, or raises :class:`~course_utils.errors.SettingError`, a ``ValueError`` too, which a
notebook shows as one line::

    steps = validate.positive_int(steps, "steps", "steps=300")
    rate = validate.number(learning_rate, "learning_rate", "1e-3", above=0)

- :func:`positive_int`, :func:`whole_number`  whole numbers (bools are refused)
- :func:`seed_value`                          a random seed, a whole number >= 0
- :func:`is_number`, :func:`number`           finite real numbers, with optional bounds
- :func:`weight`                              a loss weight, a number >= 0 (0-d arrays too)
- :func:`choice`                              one of a few strings
- :func:`style_weights`                       one weight per style, normalised to sum 1
- :func:`numbers`, :func:`finite_array`       arrays (tensors, lists) of numbers

(``seed_value`` is not called ``seed``: that is :func:`course_utils.config.seed`, which seeds
everything.)
"""

from __future__ import annotations

import numpy as np

from .errors import SettingError
from .i18n import _

__all__ = ["positive_int", "whole_number", "seed_value", "is_number", "number", "weight", "choice",
           "style_weights", "numbers", "finite_array"]


def _is_whole(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def whole_number(value, name: str, example: str, *, minimum: int | None = None, maximum: int | None = None,
                 error=SettingError) -> int:
    """``value`` as an int if it is a whole number (not a bool) within the bounds, else a SettingError.

    ``error`` is the SettingError subclass to raise (a module's own, like ``compare.CompareError``).
    """
    if not _is_whole(value) or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        fields = dict(name=name, minimum=minimum, maximum=maximum, example=example, value=value)
        if minimum is not None and maximum is not None:
            raise error(_("{name} must be a whole number from {minimum} to {maximum}, like {example}; "
                          "got {value!r}.").format(**fields))
        if minimum is not None:
            raise error(_("{name} must be a whole number >= {minimum}, like {example}; got {value!r}.").format(
                **fields))
        if maximum is not None:
            raise error(_("{name} must be a whole number <= {maximum}, like {example}; got {value!r}.").format(
                **fields))
        raise error(_("{name} must be a whole number, like {example}; got {value!r}.").format(**fields))
    return int(value)


def positive_int(value, name: str, example: str) -> int:
    """``value`` as an int if it is a whole number >= 1 (not a bool), else a SettingError naming ``name``."""
    return whole_number(value, name, example, minimum=1)


def seed_value(value, name: str = "seed") -> int:
    """``value`` as an int if it is a whole number >= 0 (a random seed), else a SettingError."""
    return whole_number(value, name, f"{name}=0", minimum=0)


def is_number(value) -> bool:
    """A finite real number, not a bool and not a string: what weights, rates and scales must be."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)) \
        and bool(np.isfinite(value))


def _bounds(above, minimum, below, maximum) -> str | None:
    """The bounds a number must keep, like "> 0" or ">= 0 and <= 1"; None without any."""
    low = f"> {above:g}" if above is not None else f">= {minimum:g}" if minimum is not None else None
    high = f"< {below:g}" if below is not None else f"<= {maximum:g}" if maximum is not None else None
    if low and high:
        # TRANSLATORS: two bounds of a number, like "> 0 and <= 1", in "{name} must be a number {bounds}, ..."
        return _("{low} and {high}").format(low=low, high=high)
    return low or high


def number(value, name: str, example: str, *, above: float | None = None, minimum: float | None = None,
           below: float | None = None, maximum: float | None = None) -> float:
    """``value`` as a float if it is a finite real number within the bounds, else a SettingError.

    ``above``/``below`` are strict bounds, ``minimum``/``maximum`` inclusive ones:
    ``number(rate, "learning_rate", "1e-3", above=0)`` wants a number > 0.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:  # np.float64(...) ** 2 and the like
        value = value.item()
    ok = is_number(value) and (above is None or value > above) and (minimum is None or value >= minimum) \
        and (below is None or value < below) and (maximum is None or value <= maximum)
    if not ok:
        bounds = _bounds(above, minimum, below, maximum)
        if bounds:
            raise SettingError(_("{name} must be a number {bounds}, like {example}; got {value!r}.").format(
                name=name, bounds=bounds, example=example, value=value))
        raise SettingError(_("{name} must be a number, like {example}; got {value!r}.").format(
            name=name, example=example, value=value))
    return float(value)


def weight(value, name: str, example: str) -> float:
    """``value`` as a float if it is a finite number >= 0 (a loss weight), else a SettingError naming ``name``."""
    return number(value, name, example, minimum=0)


def choice(value, allowed, name: str) -> str:
    """``value`` if it is one of the strings ``allowed``, else a SettingError that lists them."""
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise SettingError(_("{name} must be one of {options}, like {name}={first!r}; got {value!r}.").format(
            name=name, options=options, first=allowed[0], value=value))
    return value


def style_weights(weights, count: int, name: str = "style_weights", *, error=SettingError) -> tuple[float, ...]:
    """How much each of ``count`` styles counts: ``weights`` (one number >= 0 each) divided by their sum.

    None gives equal weights. The one normaliser behind every blend of styles (the optimisation
    loop's, AdaIN's and Magenta's); ``error`` is the SettingError subclass to raise.
    """
    if weights is None:
        return (1.0 / count,) * count
    if isinstance(weights, (str, bytes, dict)) or not hasattr(weights, "__len__"):
        raise error(_("{name} must be a list with one number per style image, like [0.7, 0.3]; "
                      "got {weights!r}.").format(name=name, weights=weights))
    values = list(np.asarray(weights).ravel()) if isinstance(weights, np.ndarray) else list(weights)
    if len(values) != count:
        raise error(_("{name} has {given} numbers for {count} style images; give exactly one weight per "
                      "style image.").format(name=name, given=len(values), count=count))
    for w in values:
        if not is_number(w) or w < 0:
            raise error(_("{name} must be numbers >= 0, like [0.7, 0.3]; got {w!r}.").format(name=name, w=w))
    total = float(sum(float(w) for w in values))
    if total <= 0:
        raise error(_("{name} are all 0; give at least one style image a positive weight, like [1, 0].").format(
            name=name))
    return tuple(float(w) / total for w in values)


def numbers(x, name: str) -> np.ndarray:
    """``x`` (NumPy array, tf.Tensor, Keras variable, list) as a NumPy array of numbers, else a SettingError."""
    if hasattr(x, "numpy"):
        x = x.numpy()
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise SettingError(_("{name} must hold numbers, got an array of dtype {dtype}.").format(
            name=name, dtype=arr.dtype))
    return arr


def finite_array(x, name: str) -> np.ndarray:
    """``x`` as a float32 NumPy array of finite numbers, else a SettingError."""
    arr = numbers(x, name).astype(np.float32)
    if not np.all(np.isfinite(arr)):
        raise SettingError(_("{name} contains NaN or infinite values; fix the computation that produced it.").format(
            name=name))
    return arr
