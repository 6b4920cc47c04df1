"""Checks for notebook 00 (set-up and tour).

q1  ``to_float_image(pixels)``: uint8 (H, W, 3) -> float32 in [0, 1]
q2  ``resized_shape(height, width, longest)``: the (height, width) after resizing
    so that the longest side equals ``longest``, keeping the aspect ratio
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .core import Exercise


def _to_float_image(pixels):
    return (np.asarray(pixels, dtype=np.float32) / 255.0).astype(np.float32)


def _resized_shape(height, width, longest):
    scale = longest / max(height, width)
    return (max(1, round(height * scale)), max(1, round(width * scale)))


#: The reference solutions, for the committed exercise cells (delete the call to use yours).
solution = SimpleNamespace(to_float_image=_to_float_image, resized_shape=_resized_shape)


def _pixels(rng):
    h, w = rng.integers(2, 40, size=2)
    return (rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8),)


def _explain_float(args, got, expected):
    if isinstance(got, np.ndarray) and got.shape == expected.shape and got.size:
        if got.max() > 1.0 + 1e-6:
            return f"values should lie in [0, 1], yours reach {float(got.max()):.4g}: did you divide by 255?"
    return None


def _sizes(rng):
    h, w = (int(v) for v in rng.integers(1, 3000, size=2))
    return (h, w, int(rng.integers(16, 1024)))


q1 = Exercise("q1 to_float_image", _to_float_image, _pixels, explain=_explain_float,
              hint="divide by 255 and make the result float32 with .astype(np.float32).")
q2 = Exercise("q2 resized_shape", _resized_shape, _sizes, trials=20,
              hint="scale = longest / max(height, width); round each side and keep it at least 1.")
