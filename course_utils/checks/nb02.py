"""Checks for notebook 02 (style as Gram statistics).

q1  ``gram_matrix(features)``: features (H, W, C) float32 -> (C, C) float32,
    G[c, d] = sum over positions of F[., c] * F[., d], divided by H * W
q2  ``batch_gram(features, normalize)``: features (B, H, W, C) -> (B, C, C),
    one Gram matrix per image, divided by H * W when ``normalize == "positions"``
    and by C * H * W when ``normalize == "channels_positions"``
q3  ``style_distance(features_a, features_b)``: one layer's feature maps of two
    pictures, (H_a, W_a, C) and (H_b, W_b, C), possibly of different sizes -> one
    number, the mean over the C x C entries of the squared difference of their
    Gram matrices, each divided by its own number of positions: section 1's
    per-layer style distance, ``losses.style_layer_loss(a, losses.gram_matrix(b), "tutorial")``
"""

from __future__ import annotations

import numpy as np

from ..i18n import _
from .core import Exercise, Trials


# The references sum in float64 and round once at the end, so that they do not depend on the order in which
# a BLAS library adds up float32 products; a learner's float32 answer is within rounding of them.


def _gram_matrix(features):
    height, width, channels = features.shape
    flat = features.reshape(height * width, channels).astype(np.float64)  # one row per position
    return (flat.T @ flat / (height * width)).astype(np.float32)


def _batch_gram(features, normalize):
    batch, height, width, channels = features.shape
    flat = features.reshape(batch, height * width, channels).astype(np.float64)
    gram = np.einsum("bpc,bpd->bcd", flat, flat) / (height * width)
    if normalize == "channels_positions":
        gram = gram / channels
    return gram.astype(np.float32)


def _style_distance(features_a, features_b):
    def normalised_gram(features):
        height, width, channels = features.shape
        flat = features.reshape(height * width, channels).astype(np.float64)  # one row per position
        return flat.T @ flat / (height * width)        # divided by this picture's own number of positions

    difference = normalised_gram(features_a) - normalised_gram(features_b)
    return float(np.mean(difference ** 2))             # the mean over the C x C entries


def _features(rng, batch=None):
    # never square and never H*W == C, so every mix-up of axes shows in the shape
    height, width = int(rng.integers(2, 9)), int(rng.integers(9, 16))
    channels = int(rng.integers(3, 12))
    shape = (height, width, channels) if batch is None else (batch, height, width, channels)
    return np.maximum(rng.normal(size=shape), 0).astype(np.float32)  # after ReLU, like VGG's


def _ratio(got, expected):
    """got / expected if one is a multiple of the other, else None."""
    e = expected.astype(np.float64).ravel()
    g = got.astype(np.float64).ravel()
    if not np.any(e) or not np.all(np.isfinite(g)):
        return None
    ratio = float(np.dot(g, e) / np.dot(e, e))
    return ratio if np.allclose(g, ratio * e, rtol=1e-3, atol=1e-5) else None


def _explain_scale(got, expected, height, width, channels, asked):
    ratio = _ratio(got, expected)
    if ratio is None or np.isclose(ratio, 1.0, rtol=1e-3):
        return None
    positions = height * width
    if np.isclose(ratio, positions, rtol=1e-3):
        return _("the values are H*W = {positions} times too large: divide by the number of positions H*W").format(
            positions=positions)
    if np.isclose(ratio, 1 / channels, rtol=1e-3):
        return _("the values are C = {channels} times too small: {asked} divides by H*W only, not by C*H*W").format(
            channels=channels, asked=asked)
    if np.isclose(ratio, channels, rtol=1e-3):
        return _("the values are C = {channels} times too large: 'channels_positions' divides by C*H*W").format(
            channels=channels)
    if np.isclose(ratio, positions * channels, rtol=1e-3):
        return _("the values are C*H*W = {positions_channels} times too large: divide by C*H*W").format(
            positions_channels=positions * channels)
    return None


def _explain_gram(args, got, expected):
    (features,) = args
    height, width, channels = features.shape
    if not isinstance(got, np.ndarray):
        return None
    if got.shape == (height * width, height * width):
        return (_("you computed F F^T, which compares positions with positions; the Gram matrix compares "
                  "channels: reshape to (H*W, C) and compute F^T F, shape (C, C)"))
    if got.shape != expected.shape or got.dtype.kind != "f":
        return None
    return _explain_scale(got, expected, height, width, channels, "gram_matrix")


def _explain_batch(args, got, expected):
    features, normalize = args
    batch, height, width, channels = features.shape
    if not isinstance(got, np.ndarray):
        return None
    if got.shape == (channels, channels):
        return (_("expected one Gram matrix per image, shape {expected_shape}, got {got_shape}: "
                  "keep the batch axis (einsum 'bijc,bijd->bcd' or a batched matmul)").format(
                      expected_shape=expected.shape, got_shape=got.shape))
    if got.shape == (batch * channels, batch * channels):
        return (_("the images of the batch were mixed together: each image gets its own (C, C) matrix, "
                  "shape {expected_shape}").format(expected_shape=expected.shape))
    if got.shape != expected.shape or got.dtype.kind != "f":
        return None
    return _explain_scale(got, expected, height, width, channels, f"normalize={normalize!r}")


def _one_map(rng):
    return (_features(rng),)


def _batch_inputs(normalize):
    def make(rng):
        return (_features(rng, batch=int(rng.integers(2, 4))), normalize)
    return make


# ------------------------------------------------------------------ q3 style_distance


def _map(rng, height, width, channels, loc, scale):
    return np.maximum(rng.normal(loc, scale, size=(height, width, channels)), 0).astype(np.float32)  # after ReLU


def _pair_same_size(rng):
    # the first trial: both maps of one size, so that comparing the features themselves gives a number to name
    height, width, channels = int(rng.integers(3, 7)), int(rng.integers(8, 12)), int(rng.integers(3, 8))
    return (_map(rng, height, width, channels, 0.0, 1.0), _map(rng, height, width, channels, 0.4, 1.5))


def _pair(rng):
    # then two sizes, as for a photo and a painting: b has at least 1.5 times a's positions, never square
    channels = int(rng.integers(3, 8))
    height_a, width_a = int(rng.integers(3, 6)), int(rng.integers(7, 10))
    height_b, width_b = int(rng.integers(6, 9)), int(rng.integers(10, 14))
    return (_map(rng, height_a, width_a, channels, 0.0, 1.0), _map(rng, height_b, width_b, channels, 0.4, 1.5))


def _scalar(got):
    """``got`` as a float if it is one number (a 0-d or one-element array too), else None."""
    if isinstance(got, np.ndarray) and got.size == 1:
        got = got.reshape(())
    if isinstance(got, bool) or not isinstance(got, (int, float, np.number, np.ndarray)) or np.ndim(got):
        return None
    got = float(got)
    return got if np.isfinite(got) else None


def _named(got, expected, candidates):
    """The message of the first candidate (value, message) that ``got`` equals and the answer does not."""
    for value, message in candidates:
        if np.isclose(got, value, rtol=1e-3, atol=0.0) and not np.isclose(value, expected, rtol=1e-2, atol=0.0):
            return message
    return None


def _explain_style_distance(args, got, expected):
    a, b = args
    channels = a.shape[-1]
    if isinstance(got, np.ndarray) and got.shape == (channels, channels):
        return (_("you returned a (C, C) matrix; the distance is one number: the mean of the squared differences "
                  "over all C x C entries"))
    got = _scalar(got)
    if got is None:
        return None

    def flat(f):
        return f.reshape(-1, f.shape[-1]).astype(np.float64)

    def gram(f):
        return flat(f).T @ flat(f)

    def positions(f):
        return f.shape[0] * f.shape[1]

    ga, gb = gram(a), gram(b)
    ma, mb = positions(a), positions(b)
    right = ga / ma - gb / mb
    c2 = channels * channels
    candidates = [
        (np.mean((ga - gb) ** 2), _("the Gram matrices are not normalised: divide each by its own number of "
                                    "positions H*W before comparing them (the raw sums grow with the picture)")),
        (np.sum(right ** 2), _("you summed the squared differences; the distance is their mean over the C x C "
                               "entries (the sum is C² = {c2} times larger)").format(c2=c2)),
        (np.mean((ga / (channels * ma) - gb / (channels * mb)) ** 2),
         _("the result is C² = {c2} times too small: you divided the Gram matrices by C*H*W; this distance "
           "divides each by H*W only").format(c2=c2)),
        (np.mean((ga / ma ** 2 - gb / mb ** 2) ** 2), _("you divided each Gram matrix by (H*W)²: once, by H*W, is "
                                                        "the normalisation")),
        (np.mean(((ga - gb) / ma) ** 2), _("you divided both Gram matrices by the first map's {ma} positions; "
                                           "the second has {mb}: divide each by its own H*W").format(ma=ma, mb=mb)),
        (np.mean(((ga - gb) / mb) ** 2), _("you divided both Gram matrices by the second map's {mb} positions; "
                                           "the first has {ma}: divide each by its own H*W").format(mb=mb, ma=ma)),
        (np.mean(right), _("square the differences before averaging them: positive and negative ones cancel")),
        (np.mean(np.abs(right)), _("square the differences instead of taking their absolute values")),
        (np.sqrt(np.sum(right ** 2)), _("that is the Frobenius norm of the difference (np.linalg.norm); the distance "
                                        "is the mean of the squares, without a square root")),
        (np.sqrt(np.mean(right ** 2)), _("take the mean of the squared differences without a square root at the end")),
        (np.sum(right ** 2) / np.sum((gb / mb) ** 2),
         _("that is the relative distance of section 1, squared; this one is the plain mean of the squared "
           "differences of the normalised Gram matrices")),
        (np.sqrt(np.sum(right ** 2) / np.sum((gb / mb) ** 2)),
         _("that is the relative distance of section 1 (losses.gram_distance); this one is the plain mean of "
           "the squared differences of the normalised Gram matrices")),
    ]
    mixed_a, mixed_b = a.reshape(channels, -1).astype(np.float64), b.reshape(channels, -1).astype(np.float64)
    candidates.append((np.mean((mixed_a @ mixed_a.T / ma - mixed_b @ mixed_b.T / mb) ** 2),
                       _("your Gram matrices mix positions and channels: features.reshape(C, -1) is not the "
                         "transpose of features.reshape(H*W, C); reshape to (H*W, C) first, then G = F.T @ F")))
    if a.shape == b.shape:
        fa, fb = flat(a), flat(b)
        candidates += [
            (np.mean((fa - fb) ** 2), _("you compared the feature maps themselves, position by position (that is "
                                        "the content loss of notebook 03); the style distance compares their "
                                        "Gram matrices, which forget where things are")),
            (np.mean((fa @ fa.T / ma - fb @ fb.T / mb) ** 2),
             _("you computed F F^T, which compares positions with positions; the Gram matrix compares channels: "
               "F^T F, shape (C, C)")),
        ]
    return _named(got, expected, candidates)


q1 = Exercise("q1 gram_matrix", _gram_matrix, _one_map, explain=_explain_gram,
              hint=lambda: _("reshape to one row per position, features.reshape(-1, C), so that flat.T @ flat is (C, "
                             "C). Divide by the number of positions H * W and finish with .astype(np.float32)."))
q2 = Exercise("q2 batch_gram", _batch_gram,
              Trials([_batch_inputs("positions"), _batch_inputs("channels_positions")],
                     lambda rng: _batch_inputs(str(rng.choice(["positions", "channels_positions"])))(rng)),
              trials=6, explain=_explain_batch,
              hint=lambda: _("np.einsum('bijc,bijd->bcd', features, features) keeps the batch axis b and sums over the "
                             "positions i, j. Then divide by H * W, and also by C for 'channels_positions'."))
q3 = Exercise("q3 style_distance", _style_distance, Trials([_pair_same_size], _pair), trials=6, rtol=1e-4,
              atol=0.0, explain=_explain_style_distance,
              hint=lambda: _("write the Gram matrix of one map divided by its own H*W first (your gram_matrix of "
                             "exercise 1 does it); the two maps may have different sizes but have the same C, so "
                             "both Grams are (C, C). Subtract, square, and take the mean over all C x C entries."))
