"""Batches of pictures laid out as one picture, and pictures as an animation (notebooks 05-07).

- :func:`grid_shape`  (rows, columns) for ``count`` pictures, at most ``ncols`` a row: the layout
  arithmetic of every grid in the course (:func:`course_utils.plotting.grid_figure` uses it too)
- :func:`tile`        a batch of generated images in [-1, 1] as one uint8 picture, with gaps
- :func:`patchwork`   patches in [-1, 1] side by side without gaps, as one picture in [0, 1]
- :func:`to_pixels`   a generator's [-1, 1] → the course's [0, 1]
- :func:`save_gif`    frames as a looping animated GIF, written atomically

No Matplotlib here: the results are pixel arrays, shown with :func:`course_utils.plotting.show_grid`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from . import validate
from ._io import atomic_path
from .errors import SettingError
from .i18n import _

__all__ = ["grid_shape", "to_pixels", "tile", "patchwork", "save_png", "save_gif"]


def grid_shape(count: int, ncols: int) -> tuple[int, int]:
    """(rows, columns) of a grid of ``count`` pictures with at most ``ncols`` in a row."""
    ncols = min(validate.positive_int(ncols, "ncols", "8"), count)
    return math.ceil(count / ncols), ncols


def to_pixels(images) -> np.ndarray:
    """Images in [-1, 1] (the generator's range) → float32 in [0, 1] (the course's image format)."""
    x = np.asarray(images.numpy() if hasattr(images, "numpy") else images, dtype=np.float32)
    return np.clip((x + 1.0) / 2.0, 0.0, 1.0)


def _lay_out(x: np.ndarray, ncols: int, pad: int, pad_value: float) -> np.ndarray:
    """float (N, H, W, 3) in [0, 1] → one float (rows·(H+pad)+pad, ncols·(W+pad)+pad, 3) picture."""
    n, h, w, _unused = x.shape
    rows, ncols = grid_shape(n, ncols)
    grid = np.full((pad + rows * (h + pad), pad + ncols * (w + pad), 3), pad_value, np.float32)
    for i, image in enumerate(x):
        r, c = divmod(i, ncols)
        top, left = pad + r * (h + pad), pad + c * (w + pad)
        grid[top: top + h, left: left + w] = image
    return grid


def _batch(images, what: str) -> np.ndarray:
    x = to_pixels(images)
    if x.ndim != 4 or x.shape[-1] not in (1, 3) or len(x) == 0:
        raise SettingError(_("{what} needs a batch of images (N, H, W, 1 or 3); got shape {shape}.").format(
            what=what, shape=x.shape))
    return np.repeat(x, 3, axis=-1) if x.shape[-1] == 1 else x


def tile(images, ncols: int = 8, *, pad: int = 1, scale: int = 1, pad_value: float = 0.5) -> np.ndarray:
    """Images in [-1, 1], shape (N, H, W, C), as one uint8 RGB grid picture (rows of ``ncols``).

    ``pad`` pixels of grey (``pad_value`` in [0, 1]) separate the images; ``scale``
    enlarges every pixel to a ``scale``×``scale`` block (small digits stay crisp).
    """
    x = _batch(images, "tile")
    validate.positive_int(ncols, "ncols", "8")
    scale = validate.positive_int(scale, "scale", "2")
    pad = validate.whole_number(pad, "pad", "1", minimum=0)
    pad_value = validate.number(pad_value, "pad_value", "0.5", minimum=0, maximum=1)
    if scale > 1:
        x = x.repeat(scale, axis=1).repeat(scale, axis=2)
    return np.round(_lay_out(x, ncols, pad, pad_value) * 255).astype(np.uint8)


def patchwork(patches, rows: int, cols: int) -> np.ndarray:
    """The first ``rows × cols`` patches (in [-1, 1]) side by side, no gaps: one picture in [0, 1]."""
    raw = np.asarray(patches.numpy() if hasattr(patches, "numpy") else patches, dtype=np.float32)
    if raw.size and (raw.min() < -1.001 or raw.max() > 1.001):
        raise SettingError(_("patches must lie in [-1, 1] (the generator's tanh range); scale pictures in [0, 1] "
                             "with patches * 2 - 1."))
    x = _batch(raw, "patchwork")
    rows, cols = validate.positive_int(rows, "rows", "4"), validate.positive_int(cols, "cols", "6")
    if rows * cols > len(x):
        raise SettingError(_("a {rows}×{cols} patchwork needs {need} patches; got {count}.").format(
            rows=rows, cols=cols, need=rows * cols, count=len(x)))
    return _lay_out(x[: rows * cols], cols, 0, 0.0)


def save_png(picture: np.ndarray, path) -> Path:
    """Write one uint8 RGB picture (a grid from :func:`tile`, say) as a PNG file, atomically; returns the path."""
    from PIL import Image

    path = Path(path)
    with atomic_path(path) as tmp:
        Image.fromarray(np.asarray(picture)).save(tmp, format="PNG")
    return path


def save_gif(frames, path, *, fps: float = 5.0, hold: float = 1.5) -> Path:
    """Write uint8 frames (all the same shape) as a looping animated GIF, atomically; returns the path.

    The last frame stays ``hold`` seconds, so the end result can be seen before the loop restarts.
    """
    import imageio.v3 as iio

    frames = [np.asarray(f) for f in frames]
    if not frames:
        raise SettingError(_("there are no frames to animate yet: train for at least one epoch first."))
    if len({f.shape for f in frames}) != 1 or frames[0].dtype != np.uint8:
        raise SettingError(_("the frames must be uint8 pictures of one shape, like GANTrainer.frames."))
    fps = validate.number(fps, "fps", "5", above=0, maximum=50)
    hold = validate.number(hold, "hold", "1.5", minimum=0)
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise SettingError(_("the animation's file name must end in .gif, like 'progress.gif'; got {path!r}.").format(
            path=str(path)))
    durations = [1000.0 / fps] * len(frames)
    durations[-1] = max(durations[-1], 1000.0 * hold)
    with atomic_path(path) as tmp:
        iio.imwrite(tmp, np.stack(frames), extension=".gif", duration=durations, loop=0)
    return path
