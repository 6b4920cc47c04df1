"""Checks for notebook 03 (the loss terms).

q1  ``style_layer_loss(features, target_gram)``: features (H, W, C) float32 and the
    *unnormalised* (C, C) Gram matrix of a style feature map of the same shape ->
    one number, Gatys' E = sum((G - A)**2) / (4 N**2 M**2) with G = F^T F,
    N = C channels and M = H * W positions
q2  ``total_variation(image, kind)``: image (H, W, C) float32 -> one number, the sum
    over vertically and horizontally neighbouring pixels of the absolute
    (``kind == "l1"``) or squared (``kind == "squared"``) differences
q3  ``content_loss(generated, target, kind)``: two feature maps (H, W, C) of one layer
    -> one number, the mean of the squared differences (``kind == "mse"``, the
    TensorFlow tutorial's) or half their sum (``kind == "gatys"``, Gatys et al.'s),
    as ``losses.content_loss``
"""

from __future__ import annotations

import numpy as np

from ..i18n import _
from .core import Exercise, Trials


def _style_layer_loss(features, target_gram):
    height, width, channels = features.shape
    flat = features.reshape(height * width, channels).astype(np.float64)  # one row per position
    gram = flat.T @ flat
    return float(np.sum((gram - target_gram) ** 2) / (4 * channels ** 2 * (height * width) ** 2))


def _differences(image):
    """Vertical and horizontal neighbour differences, in float64."""
    image = image.astype(np.float64)
    return image[1:, :, :] - image[:-1, :, :], image[:, 1:, :] - image[:, :-1, :]


def _penalty(kind):
    return np.abs if kind == "l1" else np.square


def _total_variation(image, kind):
    dy, dx = _differences(image)
    penalty = _penalty(kind)
    return float(penalty(dy).sum() + penalty(dx).sum())


def _total_variation_shown(image, kind):
    """What check.q2.solution() shows: the reference in one function."""
    image = image.astype(np.float64)
    vertical = image[1:, :, :] - image[:-1, :, :]      # (H-1, W, C): each pixel minus the one above it
    horizontal = image[:, 1:, :] - image[:, :-1, :]    # (H, W-1, C): each pixel minus the one on its left
    penalty = np.abs if kind == "l1" else np.square
    return float(penalty(vertical).sum() + penalty(horizontal).sum())


def _content_loss(generated, target, kind):
    squares = (generated.astype(np.float64) - target.astype(np.float64)) ** 2
    if kind == "gatys":
        return float(0.5 * np.sum(squares))           # Gatys et al.: half the sum
    return float(np.mean(squares))                    # the TensorFlow tutorial: the mean over H * W * C values


def _close(got, value) -> bool:
    return bool(np.isclose(got, value, rtol=1e-3, atol=0.0))


def _first_match(got, expected, candidates):
    """The message of the first (value, message) candidate that ``got`` equals, or None.

    A candidate that happens to lie near the right answer is skipped, so a right answer is never named
    as a mistake.
    """
    if isinstance(got, np.ndarray) and got.size == 1:
        got = got.reshape(())
    if not isinstance(got, (int, float, np.number, np.ndarray)) or isinstance(got, bool) or np.ndim(got):
        return None
    got = float(got)
    if not np.isfinite(got):
        return None
    for value, message in candidates:
        if _close(got, value) and not np.isclose(value, expected, rtol=1e-2, atol=0.0):
            return message
    return None


# ------------------------------------------------------------- q1 style_layer_loss


def _style_inputs(rng):
    # never square, N >= 3 and M > N, so that no two mistakes give the same number
    height, width = int(rng.integers(3, 8)), int(rng.integers(8, 13))
    channels = int(rng.integers(3, 9))
    features = np.maximum(rng.normal(size=(height, width, channels)), 0).astype(np.float32)  # after ReLU
    style = np.maximum(rng.normal(0.3, 1.0, size=(height, width, channels)), 0)
    flat = style.reshape(-1, channels)
    return features, (flat.T @ flat).astype(np.float32)


def _explain_style(args, got, expected):
    features, target = args
    height, width, channels = features.shape
    n, m = channels, height * width
    if isinstance(got, np.ndarray) and got.shape == (n, n):
        return (_("you returned a (C, C) matrix; the loss is one number: sum the squared differences "
                  "over all entries, then multiply by 1 / (4 N² M²)"))
    flat = features.reshape(m, n).astype(np.float64)
    gram, target = flat.T @ flat, target.astype(np.float64)
    squares = np.sum((gram - target) ** 2)
    factor = 4 * n ** 2 * m ** 2
    mixed = features.reshape(n, m).astype(np.float64)  # reshape(C, -1) without a transpose
    candidates = [
        (squares, _("the factor 1 / (4 N² M²) is missing (N = {n} channels, M = H*W = {m} positions): "
                    "divide the sum of squared differences by 4 * N**2 * M**2").format(n=n, m=m)),
        (squares / (n ** 2 * m ** 2), _("the result is 4 times too large: the factor is 1 / (4 N² M²), with the 4")),
        (np.sum(((gram - target) / m) ** 2) / factor,
         _("you divided the Gram matrices by M = H*W = {m} and then by 4 N² M² as well: the factor already "
           "holds the M², so use the unnormalised Gram matrices G = F^T F").format(m=m)),
        (np.sum((gram / m - target) ** 2) / factor,
         _("you divided your Gram matrix by M = H*W = {m} but target_gram is unnormalised: use G = F^T F "
           "without dividing, like the target").format(m=m)),
        (np.mean((gram - target) ** 2) / factor,
         _("the result is N² = {n_squared} times too small: sum the squared differences over the (C, C) entries "
           "instead of averaging them (the factor's 1 / N² already does that), and let M count positions, "
           "not values").format(n_squared=n * n)),
        (np.sum((mixed @ mixed.T - target) ** 2) / factor,
         _("your Gram matrix mixes positions and channels: features.reshape(C, -1) is not the transpose of "
           "features.reshape(H*W, C); reshape to (H*W, C) first, then G = F.T @ F")),
        (np.sqrt(squares) / factor, _("square the differences and sum them, without a square root at the end")),
    ]
    return _first_match(got, expected, candidates)


# ------------------------------------------------------------- q2 total_variation


def _image(rng):
    height, width = int(rng.integers(3, 9)), int(rng.integers(10, 16))  # never square
    return rng.random((height, width, 3), dtype=np.float32)


def _tv_inputs(kind):
    def make(rng):
        return (_image(rng), kind)
    return make


def _explain_tv(args, got, expected):
    image, kind = args
    dy, dx = _differences(image)
    penalty = _penalty(kind)
    other = "squared" if kind == "l1" else "l1"
    x = image.astype(np.float64)

    def tv(*diffs):
        return sum(float(penalty(d).sum()) for d in diffs)

    channel = x[:, :, 1:] - x[:, :, :-1]
    wrong_axis = _("you took differences along the colour channels (the last axis); neighbours lie along " \
                   "axis 0 (rows) and axis 1 (columns)")
    off_by_one = (_("one row or column of differences is missing (off by one): an image with H rows has H - 1 "
                    "vertical differences, image[1:] - image[:-1], and likewise for columns"))
    candidates = [
        (tv(dy), _("you counted only the vertical differences (between rows); add the horizontal ones, "
                   "image[:, 1:] - image[:, :-1]")),
        (tv(dx), _("you counted only the horizontal differences (between columns); add the vertical ones, "
                   "image[1:] - image[:-1]")),
        (_total_variation(image, other),
         _("take the absolute values of the differences for kind='l1', not their squares") if kind == "l1" else
         _("square the differences for kind='squared' instead of taking their absolute values")),
        (float(dy.sum() + dx.sum()), _("take the absolute value (or square) of each difference before summing: "
                                       "positive and negative differences cancel")),
        (tv(dy, channel), wrong_axis), (tv(channel, dx), wrong_axis), (tv(channel), wrong_axis),
        (tv(dy[:, :-1], dx[:-1]),
         _("you cropped both directions to (H-1, W-1), which leaves out the last column's vertical differences "
           "and the last row's horizontal ones; use image[1:] - image[:-1] and image[:, 1:] - image[:, :-1] whole")),
        (tv(np.roll(x, -1, 0) - x, np.roll(x, -1, 1) - x),
         _("np.roll wraps around, so you also compared the last row with the first and the last column with "
           "the first; use slices: image[1:] - image[:-1]")),
        (tv(dy[:-1], dx), off_by_one), (tv(dy[1:], dx), off_by_one),
        (tv(dy, dx[:, :-1]), off_by_one), (tv(dy, dx[:, 1:]), off_by_one),
        (tv(x[2:] - x[:-2], x[:, 2:] - x[:, :-2]),
         _("you compared pixels two apart (image[2:] - image[:-2]); neighbours are one apart: image[1:] - image[:-1]")),
        (float(penalty(dy).mean() + penalty(dx).mean()), _("sum the differences' penalties, do not average them")),
    ]
    return _first_match(got, expected, candidates)


# ------------------------------------------------------------- q3 content_loss


def _content_inputs(kind):
    def make(rng):
        # never square, and H*W*C of at least 72, so that mean, sum and half sum never coincide
        height, width, channels = int(rng.integers(3, 7)), int(rng.integers(8, 12)), int(rng.integers(3, 9))
        target = np.maximum(rng.normal(size=(height, width, channels)), 0)                    # the photo's, after ReLU
        generated = np.maximum(target + rng.normal(0, 0.5, size=target.shape), 0)             # a picture near it
        return generated.astype(np.float32), target.astype(np.float32), kind
    return make


def _explain_content(args, got, expected):
    generated, target, kind = args
    height, width, channels = generated.shape
    size = height * width * channels
    if isinstance(got, np.ndarray) and got.shape == generated.shape:
        if kind == "gatys":
            return _("you returned the map of squared differences; the loss is one number: half their sum")
        return _("you returned the map of squared differences; the loss is one number: their mean")
    g, t = generated.astype(np.float64), target.astype(np.float64)
    d = g - t
    squares = d ** 2
    half_sum, mean = 0.5 * np.sum(squares), np.mean(squares)
    if kind == "gatys":
        forms = [
            (np.sum(squares), _("the ½ is missing: Gatys et al.'s content loss is half the sum of the squared "
                                "differences")),
            (mean, _("you took the mean, the tutorial's form (kind='mse'); kind='gatys' is half the sum, "
                     "½ H W C = {size:g} times larger").format(size=size / 2)),
            (0.5 * mean, _("you took half the mean; kind='gatys' is half the *sum* of the squared differences")),
        ]
    else:
        forms = [
            (half_sum, _("you took half the sum, Gatys' form (kind='gatys'); kind='mse' is the mean over all "
                         "H*W*C = {size} values").format(size=size)),
            (np.sum(squares), _("you summed the squared differences; kind='mse' takes their mean over all "
                                "H*W*C = {size} values").format(size=size)),
            (0.5 * mean, _("the tutorial's mean has no ½: that belongs to Gatys' half sum")),
        ]
    reduce = (lambda x: 0.5 * np.sum(x)) if kind == "gatys" else np.mean
    by_position = np.sum(squares, axis=-1)               # summed over channels
    gram_g, gram_t = (f.reshape(-1, channels).T @ f.reshape(-1, channels) / (height * width) for f in (g, t))
    candidates = forms + [
        (reduce(d), _("square the differences before adding them up: positive and negative ones cancel")),
        (reduce(np.abs(d)), _("square the differences instead of taking their absolute values")),
        (float(np.sqrt(np.sum(squares))), _("that is the length of the difference (np.linalg.norm); the loss is "
                                            "built from the squares, without a square root")),
        (float(np.sqrt(reduce(squares))), _("take the squared differences without a square root at the end")),
        ((np.sum(g) - np.sum(t)) ** 2 * (0.5 if kind == "gatys" else 1 / size),
         _("square each difference, F - P position by position, not the difference of the sums")),
    ]
    by_channel = np.sum(squares, axis=(0, 1))            # summed over positions
    if kind == "gatys":
        candidates += [
            (0.5 * np.mean(by_position), _("you averaged over the positions: kind='gatys' sums every value, then "
                                           "halves")),
            (0.5 * np.mean(by_channel), _("you averaged over the channels: kind='gatys' sums every value, then "
                                          "halves")),
        ]
    else:
        candidates += [
            (np.mean(by_position), _("you summed over the channels and averaged over the positions; kind='mse' "
                                     "averages over all H*W*C = {size} values").format(size=size)),
            (np.mean(by_channel), _("you summed over the positions and averaged over the channels; kind='mse' "
                                    "averages over all H*W*C = {size} values").format(size=size)),
        ]
    candidates += [
        (reduce((gram_g - gram_t) ** 2), _("you compared Gram matrices, which is the style loss; the content loss "
                                           "compares the feature maps themselves, value by value")),
    ]
    return _first_match(got, expected, candidates)


q1 = Exercise("q1 style_layer_loss", _style_layer_loss, lambda rng: _style_inputs(rng), rtol=1e-4, atol=0.0,
              explain=_explain_style,
              hint=lambda: _("reshape to one row per position, flat = features.reshape(-1, C), so that G = flat.T @ "
                             "flat is (C, C). Then the sum (not the mean) of (G - target_gram) ** 2, divided by 4 * "
                             "C**2 * (H * W)**2. Do not divide G by H * W as well: the factor already holds the M²."))
q2 = Exercise("q2 total_variation", _total_variation,
              Trials([_tv_inputs("l1"), _tv_inputs("squared")],
                     lambda rng: _tv_inputs(str(rng.choice(["l1", "squared"])))(rng)),
              trials=6, rtol=1e-4, atol=0.0, explain=_explain_tv, solution=_total_variation_shown,
              hint=lambda: _("the vertical differences are image[1:] - image[:-1], shape (H-1, W, C), the horizontal "
                             "ones image[:, 1:] - image[:, :-1], shape (H, W-1, C). Apply np.abs or np.square to "
                             "both and add up both sums: no cropping, no np.roll."))
q3 = Exercise("q3 content_loss", _content_loss,
              Trials([_content_inputs("mse"), _content_inputs("gatys")],
                     lambda rng: _content_inputs(str(rng.choice(["mse", "gatys"])))(rng)),
              trials=6, rtol=1e-4, atol=0.0, explain=_explain_content,
              hint=lambda: _("subtract the two maps and square every difference. kind='mse' is the mean of those "
                             "squares (np.mean, over all H * W * C values), kind='gatys' half their sum (0.5 * "
                             "np.sum)."))
