"""Checks for notebook 02 (style as Gram statistics).

q1  ``gram_matrix(features)``: features (H, W, C) float32 -> (C, C) float32,
    G[c, d] = sum over positions of F[., c] * F[., d], divided by H * W
q2  ``batch_gram(features, normalize)``: features (B, H, W, C) -> (B, C, C),
    one Gram matrix per image, divided by H * W when ``normalize == "positions"``
    and by C * H * W when ``normalize == "channels_positions"``
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .core import Exercise, Trials


def _gram_matrix(features):
    height, width, channels = features.shape
    flat = features.reshape(height * width, channels)  # one row per position
    return (flat.T @ flat / (height * width)).astype(np.float32)


def _batch_gram(features, normalize):
    batch, height, width, channels = features.shape
    flat = features.reshape(batch, height * width, channels)
    gram = np.einsum("bpc,bpd->bcd", flat, flat) / (height * width)
    if normalize == "channels_positions":
        gram = gram / channels
    return gram.astype(np.float32)


#: The reference solutions, for the committed exercise cells (delete the call to use yours).
solution = SimpleNamespace(gram_matrix=_gram_matrix, batch_gram=_batch_gram)


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
        return f"the values are H*W = {positions} times too large: divide by the number of positions H*W"
    if np.isclose(ratio, 1 / channels, rtol=1e-3):
        return f"the values are C = {channels} times too small: {asked} divides by H*W only, not by C*H*W"
    if np.isclose(ratio, channels, rtol=1e-3):
        return f"the values are C = {channels} times too large: 'channels_positions' divides by C*H*W"
    if np.isclose(ratio, positions * channels, rtol=1e-3):
        return f"the values are C*H*W = {positions * channels} times too large: divide by C*H*W"
    return None


def _explain_gram(args, got, expected):
    (features,) = args
    height, width, channels = features.shape
    if not isinstance(got, np.ndarray):
        return None
    if got.shape == (height * width, height * width):
        return ("you computed F F^T, which compares positions with positions; the Gram matrix compares "
                "channels: reshape to (H*W, C) and compute F^T F, shape (C, C)")
    if got.shape != expected.shape or got.dtype.kind != "f":
        return None
    return _explain_scale(got, expected, height, width, channels, "gram_matrix")


def _explain_batch(args, got, expected):
    features, normalize = args
    batch, height, width, channels = features.shape
    if not isinstance(got, np.ndarray):
        return None
    if got.shape == (channels, channels):
        return (f"expected one Gram matrix per image, shape {expected.shape}, got {got.shape}: "
                "keep the batch axis (einsum 'bijc,bijd->bcd' or a batched matmul)")
    if got.shape == (batch * channels, batch * channels):
        return ("the images of the batch were mixed together: each image gets its own (C, C) matrix, "
                f"shape {expected.shape}")
    if got.shape != expected.shape or got.dtype.kind != "f":
        return None
    return _explain_scale(got, expected, height, width, channels, f"normalize={normalize!r}")


def _one_map(rng):
    return (_features(rng),)


def _batch_inputs(normalize):
    def make(rng):
        return (_features(rng, batch=int(rng.integers(2, 4))), normalize)
    return make


q1 = Exercise("q1 gram_matrix", _gram_matrix, _one_map, explain=_explain_gram,
              hint="flat = features.reshape(-1, C); return (flat.T @ flat / (H * W)).astype(np.float32).")
q2 = Exercise("q2 batch_gram", _batch_gram,
              Trials([_batch_inputs("positions"), _batch_inputs("channels_positions")],
                     lambda rng: _batch_inputs(str(rng.choice(["positions", "channels_positions"])))(rng)),
              trials=6, explain=_explain_batch,
              hint="reshape to (B, H*W, C), multiply with einsum('bpc,bpd->bcd', f, f), then divide.")
