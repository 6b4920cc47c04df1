"""The course's own artworks, painted in code and used as style images.

Neural style transfer needs style images with strong texture at many scales and
rich colour. Rather than shipping famous paintings with unclear licences, the
course paints its own: four small generative artworks, each about a hundred
lines of NumPy, Pillow and SciPy.

- ``swirl``        short thick brush strokes following a swirling flow field
                   (after Van Gogh's night skies)
- ``mosaic``       a stained-glass rose window: Voronoi cells in saturated glass
                   colours, held together by dark lead lines
- ``composition``  circles, bars, triangles and lines on textured paper
                   (after Kandinsky and Mondrian)
- ``pointillism``  a landscape with sun, hills and water, painted in small dots
                   of jittered colour (after Seurat)

Each style is a function ``(rng, size) -> image`` in :data:`STYLES`; call it
through :func:`make`, which checks the arguments and seeds the random generator,
so that a (name, size, seed) triple always gives the same picture. The images
in ``data/styles/`` were written by ``python -m course_utils.art data/styles``
(``make styles``).

Shapes are drawn with Pillow on a canvas twice the requested size and then
shrunk with a Lanczos filter, which smooths their edges (anti-aliasing).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage
from scipy.spatial import cKDTree

from .errors import ImageError, SettingError
from .i18n import _

MIN_SIZE = 32
"""The smallest image side :func:`make` accepts, in pixels."""

_UP = 2  # shapes are drawn at _UP times the final size, then shrunk


# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------


def _noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Smooth random noise with about ``cells`` bumps across the image.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    size : int
        Side of the (square) result in pixels.
    cells : int
        Number of random values per side; bicubic interpolation fills between.

    Returns
    -------
    numpy.ndarray
        float32 (size, size), values roughly in [0, 1].
    """
    cells = max(2, int(cells))
    grid = rng.random((cells + 2, cells + 2), dtype=np.float32)
    big = Image.fromarray(grid).resize((size, size), Image.Resampling.BICUBIC, box=(1, 1, cells + 1, cells + 1))
    return np.asarray(big, dtype=np.float32)


def _fbm(rng: np.random.Generator, size: int, cells: int = 3, octaves: int = 5, gain: float = 0.5) -> np.ndarray:
    """Fractal noise: several octaves of :func:`_noise`, each twice as fine.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    size : int
        Side of the result in pixels.
    cells : int, optional
        Bumps per side of the coarsest octave.
    octaves : int, optional
        Number of octaves added together (fewer if they would be finer than a pixel).
    gain : float, optional
        Amplitude of each octave relative to the previous one.

    Returns
    -------
    numpy.ndarray
        float32 (size, size) with mean 0 and standard deviation 1.
    """
    total = np.zeros((size, size), np.float32)
    amp = 1.0
    for k in range(octaves):
        c = cells * 2**k
        if c > size:
            break
        total += amp * (_noise(rng, size, c) - 0.5)
        amp *= gain
    total -= total.mean()
    return total / max(float(total.std()), 1e-6)


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in [0, 1]: ``(x, y)``, each float32 (size, size), y pointing down."""
    t = (np.arange(size, dtype=np.float32) + 0.5) / size
    return np.meshgrid(t, t)


def _lerp_palette(palette, t: np.ndarray, cyclic: bool = False) -> np.ndarray:
    """Colours from a palette at positions ``t`` in [0, 1] (linear interpolation).

    Parameters
    ----------
    palette : array_like
        (n, 3) RGB colours in [0, 1], spread evenly over [0, 1].
    t : numpy.ndarray
        Positions, any shape.
    cyclic : bool, optional
        If True, ``t`` wraps around and the last colour blends back into the first.

    Returns
    -------
    numpy.ndarray
        float32 array of shape ``t.shape + (3,)``.
    """
    pal = np.asarray(palette, np.float32)
    if cyclic:
        pal = np.concatenate([pal, pal[:1]])
        t = np.mod(t, 1.0)
    else:
        t = np.clip(t, 0.0, 1.0)
    pos = t * (len(pal) - 1)
    i = np.minimum(pos.astype(int), len(pal) - 2)
    f = (pos - i)[..., None].astype(np.float32)
    return pal[i] * (1 - f) + pal[i + 1] * f


def _smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    """0 below ``e0``, 1 above ``e1``, a smooth S-curve between."""
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _to_pil(image: np.ndarray) -> Image.Image:
    """A float RGB image in [0, 1] as a Pillow image."""
    return Image.fromarray(np.round(np.clip(image, 0, 1) * 255).astype(np.uint8))


def _from_pil(pil: Image.Image, size: int) -> np.ndarray:
    """A Pillow image shrunk to (size, size) with a Lanczos filter, as float32 in [0, 1]."""
    if pil.size != (size, size):
        pil = pil.resize((size, size), Image.Resampling.LANCZOS)
    return np.asarray(pil.convert("RGB"), dtype=np.float32) / 255.0


def _resize(channel: np.ndarray, size: int) -> np.ndarray:
    """A float32 2-D array resized to (size, size) with bicubic interpolation."""
    return np.asarray(Image.fromarray(channel.astype(np.float32)).resize((size, size), Image.Resampling.BICUBIC))


def _rgb8(colour) -> tuple[int, int, int]:
    """A float RGB colour in [0, 1] as a tuple of three ints for Pillow."""
    c = np.clip(np.asarray(colour, np.float64), 0.0, 1.0)
    return tuple(int(round(v * 255)) for v in c)


def _sample(field: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Values of a (G, G, ...) field at points ``xy`` in [0, 1]² (nearest grid point)."""
    g = field.shape[0]
    ij = np.clip((xy * g).astype(int), 0, g - 1)
    return field[ij[:, 1], ij[:, 0]]


# ---------------------------------------------------------------------------
# swirl
# ---------------------------------------------------------------------------


def swirl(rng: np.random.Generator, size: int) -> np.ndarray:
    """Paint a night sky of short thick brush strokes that swirl along a flow field.

    The sky flows along the level lines of a stream function made of a drift,
    a large double vortex and small vortices around the stars; dark hills and a
    flame-shaped cypress have flows of their own. Thousands of short strokes
    follow the field, coloured from a banded blue-and-yellow underpainting with
    a little random variation each, thick strokes first, finer ones on top.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    size : int
        Side of the square image in pixels.

    Returns
    -------
    numpy.ndarray
        float32 (size, size, 3) in [0, 1].
    """
    G = 192  # resolution of the flow and colour fields
    x, y = _grid(G)
    noise = _fbm(rng, G, cells=3, octaves=4)

    # --- stream function of the sky: drift + big double vortex + stars ---------
    psi = -0.55 * y + 0.035 * np.sin(2 * np.pi * (1.3 * x + 0.8 * y) + rng.uniform(0, 6.3))
    psi += 0.02 * noise
    centre = rng.uniform(0.38, 0.55)
    vortices = [  # (x, y, radius, strength) strength > 0 turns clockwise on screen
        (centre - 0.14, 0.36 + rng.uniform(-0.03, 0.03), 0.11, 0.16),
        (centre + 0.12, 0.30 + rng.uniform(-0.03, 0.03), 0.09, -0.12),
    ]
    moon = (rng.uniform(0.78, 0.88), rng.uniform(0.1, 0.16), 0.055)
    vortices.append((moon[0], moon[1], 0.09, 0.06))
    stars = []
    for _unused in range(60):  # scatter stars in the sky, away from each other
        if len(stars) == 7:
            break
        sx, sy = rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.5)
        r = rng.uniform(0.028, 0.045)
        taken = [(v[0], v[1], v[2] * 0.9) for v in vortices[:2]] + [(moon[0], moon[1], 0.12)] + stars
        if all(np.hypot(sx - a, sy - b) > r + c + 0.05 for a, b, c in taken):
            stars.append((sx, sy, r))
    for sx, sy, r in stars:
        vortices.append((sx, sy, r * 1.5, 0.035 * rng.choice([-1, 1])))
    for vx, vy, vr, vs in vortices:
        psi += vs * np.exp(-((x - vx) ** 2 + (y - vy) ** 2) / (2 * vr**2))
    dpdy, dpdx = np.gradient(psi)
    sky_flow = np.stack([dpdy, -dpdx], axis=-1)

    # --- hills and cypress ----------------------------------------------------
    phase = rng.uniform(0, 6.3, size=3)
    horizon = (
        0.7
        + 0.05 * np.sin(2 * np.pi * 0.8 * x + phase[0])
        + 0.025 * np.sin(2 * np.pi * 2.1 * x + phase[1])
        + 0.01 * noise
    )
    hill = _smoothstep(-0.012, 0.012, y - horizon)
    dhdx = np.gradient(horizon, axis=1) * G
    wave = 0.25 * np.sin(2 * np.pi * (3.0 * x + 5 * y) + phase[2])
    hill_flow = np.stack([np.ones_like(x), dhdx + wave], axis=-1)

    side = rng.choice([0.17, 0.83])
    top = rng.uniform(0.06, 0.16)
    height = np.clip((y - top) / (1.0 - top), 0.0, 1.0)
    half_width = 0.085 * height**0.6 * (1 + 0.18 * np.sin(2 * np.pi * 9 * y + phase[1]))
    cypress = _smoothstep(0.01, -0.01, np.abs(x - side - 0.02 * np.sin(2 * np.pi * 2.5 * y)) - half_width)
    cypress *= (y > top).astype(np.float32)
    cyp_flow = np.stack([0.45 * np.sin(2 * np.pi * (6 * y + 8 * (x - side))), -np.ones_like(x)], axis=-1)

    flow = sky_flow / (np.linalg.norm(sky_flow, axis=-1, keepdims=True) + 1e-9)
    for mask, f in ((hill, hill_flow), (cypress, cyp_flow)):
        f = f / np.linalg.norm(f, axis=-1, keepdims=True)
        flow = flow * (1 - mask[..., None]) + f * mask[..., None]
    flow /= np.linalg.norm(flow, axis=-1, keepdims=True) + 1e-9

    # --- underpainting: colour bands along the streamlines ---------------------
    blues = [(0.05, 0.09, 0.30), (0.12, 0.24, 0.58), (0.30, 0.48, 0.78), (0.14, 0.30, 0.62), (0.55, 0.68, 0.82)]
    pn = (psi - psi.min()) / (psi.max() - psi.min())
    colour = _lerp_palette(blues, 4.0 * pn + 0.12 * noise, cyclic=True)
    glow = np.zeros_like(x)
    for sx, sy, r in stars:
        d = np.hypot(x - sx, y - sy)
        ring = 0.5 + 0.5 * np.cos(2 * np.pi * d / (r * 0.8))
        glow = np.maximum(glow, np.exp(-((d / (2.2 * r)) ** 2)) * (0.5 + 0.5 * ring))
        glow = np.maximum(glow, _smoothstep(0.8 * r, 0.4 * r, d))
    mx, my, mr = moon
    d = np.hypot(x - mx, y - my)
    glow = np.maximum(glow, 0.75 * np.exp(-((d / (2.5 * mr)) ** 2)) * (0.6 + 0.4 * np.cos(2 * np.pi * d / mr)))
    halo = _lerp_palette([(0.45, 0.62, 0.62), (0.98, 0.80, 0.22), (1.0, 0.95, 0.70)], glow)
    colour = colour * (1 - glow[..., None] ** 0.8) + halo * glow[..., None] ** 0.8
    bite = np.hypot(x - mx - 0.4 * mr, y - my + 0.25 * mr)  # a disc cut out of the moon leaves a crescent
    crescent = _smoothstep(mr, 0.9 * mr, d) * _smoothstep(0.8 * mr, 0.9 * mr, bite)
    colour = colour * (1 - crescent[..., None]) + np.array([1.0, 0.78, 0.22], np.float32) * crescent[..., None]
    hills_pal = [(0.04, 0.08, 0.18), (0.10, 0.20, 0.32), (0.20, 0.34, 0.40), (0.08, 0.16, 0.22)]
    hill_col = _lerp_palette(hills_pal, 6 * (y - horizon) + 0.5 * (0.5 + 0.15 * noise), cyclic=True)
    colour = colour * (1 - hill[..., None]) + hill_col * hill[..., None]
    cyp_col = _lerp_palette([(0.02, 0.05, 0.04), (0.10, 0.17, 0.08), (0.22, 0.20, 0.10), (0.05, 0.10, 0.08)],
                            8 * x + 3 * y + 0.3 * noise, cyclic=True)
    colour = colour * (1 - cypress[..., None]) + cyp_col * cypress[..., None]

    # --- canvas: the blurred underpainting --------------------------------------
    W = size * _UP
    under = np.stack([_resize(ndimage.gaussian_filter(colour[..., c], 2.0), W) for c in range(3)], axis=-1)
    canvas = _to_pil(under * 0.85)
    draw = ImageDraw.Draw(canvas)

    # --- strokes ---------------------------------------------------------------
    steps = 5
    layers = ((0.045, 0.013, 1.5, 0.05), (0.03, 0.008, 1.2, 0.06), (0.02, 0.0065, 0.5, 0.07))
    for length, width, coverage, jitter in layers:
        width_px = max(width * W, 2.0)
        length_px = max(length * W, 3 * width_px)
        n = int(coverage * W * W / (width_px * length_px))
        start = rng.random((n, 2))
        lengths = length_px * rng.uniform(0.6, 1.4, n) / W
        widths = width_px * rng.uniform(0.7, 1.3, n)
        path = np.empty((n, steps + 1, 2))
        path[:, 0] = start
        pos = start.copy()
        for k in range(steps):
            d = _sample(flow, pos)
            pos = pos + d * (lengths / steps)[:, None]
            path[:, k + 1] = pos
        mid = path[:, steps // 2]
        col = _sample(colour, np.clip(mid, 0, 0.999))
        col = col * rng.uniform(0.85, 1.15, (n, 1)) + rng.normal(0, jitter, (n, 3)) * 0.5
        normal = np.stack([-(path[:, -1, 1] - path[:, 0, 1]), path[:, -1, 0] - path[:, 0, 0]], axis=-1)
        normal /= np.linalg.norm(normal, axis=-1, keepdims=True) + 1e-9
        for i in range(n):
            pts = (path[i] * W).ravel().tolist()
            w = widths[i]
            draw.line(pts, fill=_rgb8(col[i]), width=int(round(w)), joint="curve")
            if w < 8:
                continue
            # a thin lighter ridge along one side of the stroke: wet paint catching light
            off = normal[i] * w * 0.22
            ridge = ((path[i] * W) + off).ravel().tolist()
            draw.line(ridge, fill=_rgb8(col[i] * 0.75 + 0.25 * np.array([1.0, 0.98, 0.9])),
                      width=max(1, int(round(w * 0.28))))

    image = _from_pil(canvas, size)
    grain = _fbm(rng, size, cells=max(2, size // 4), octaves=2)
    return image * (1 + 0.03 * grain[..., None])


# ---------------------------------------------------------------------------
# mosaic
# ---------------------------------------------------------------------------


def mosaic(rng: np.random.Generator, size: int) -> np.ndarray:
    """Make a stained-glass rose window from Voronoi cells and lead lines.

    Seeds lie on rings inside a round window (so the cells form petals) and on
    a jittered grid outside it. Every pixel belongs to its nearest seed (a k-d tree
    query); the distance to the border with the second-nearest seed draws the
    lead lines. Each glass piece gets a saturated colour, its own shading
    gradient, streaky glass texture and darker edges.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    size : int
        Side of the square image in pixels.

    Returns
    -------
    numpy.ndarray
        float32 (size, size, 3) in [0, 1].
    """
    glass = np.array([
        (0.70, 0.06, 0.10),  # ruby
        (0.08, 0.20, 0.65),  # cobalt
        (0.05, 0.50, 0.25),  # emerald
        (0.95, 0.68, 0.08),  # amber
        (0.40, 0.10, 0.55),  # violet
        (0.05, 0.55, 0.65),  # turquoise
        (0.92, 0.40, 0.06),  # orange
        (0.12, 0.10, 0.40),  # deep blue
    ], np.float32)

    cx, cy = 0.5 + rng.uniform(-0.02, 0.02), 0.5 + rng.uniform(-0.02, 0.02)
    radius = 0.4  # of the round window; its lead frame is drawn just outside
    seeds, colours = [(cx, cy)], [glass[3]]
    # rings of seeds, each ring's count a multiple of the one inside, so the
    # cells line up into petals; the colours repeat around every ring
    rings = [(0.075, 8), (0.14, 8), (0.2, 16), (0.255, 16), (0.31, 32), (0.36, 32)]
    twist = rng.uniform(0, 2 * np.pi)
    order = rng.permutation(len(glass))
    for k, (r, count) in enumerate(rings):
        offset = 0.5 if k % 2 else 0.0  # odd rings sit between the seeds of the ring inside
        a = twist + 2 * np.pi * (np.arange(count) + offset) / count
        rr = r + rng.normal(0, 0.003, count)
        a = a + rng.normal(0, 0.01, count)
        seeds += list(zip(cx + rr * np.cos(a), cy + rr * np.sin(a)))
        first, second = glass[order[k % len(glass)]], glass[order[(k + 3) % len(glass)]]
        colours += [first if j % 2 == 0 else second for j in range(count)]
    # outside the window: a jittered grid of larger cells in blues and reds
    m = 12
    gx, gy = np.meshgrid((np.arange(m) + 0.5) / m, (np.arange(m) + 0.5) / m)
    pts = np.stack([gx.ravel(), gy.ravel()], -1) + rng.uniform(-0.4, 0.4, (m * m, 2)) / m
    outside = np.hypot(pts[:, 0] - cx, pts[:, 1] - cy) > radius + 0.06
    outer_pal = glass[[1, 1, 1, 7, 7, 0, 5, 4]]
    for p in pts[outside]:
        seeds.append(tuple(p))
        colours.append(outer_pal[rng.integers(len(outer_pal))])
    seeds = np.asarray(seeds, np.float64)
    colours = np.asarray(colours, np.float32)
    colours = np.clip(colours * rng.uniform(0.8, 1.15, (len(colours), 1)) + rng.normal(0, 0.04, colours.shape), 0, 1)

    x, y = _grid(size)
    xy = np.stack([x.ravel(), y.ravel()], -1).astype(np.float64)
    # the window and the wall around it are two separate Voronoi diagrams
    frame = radius + 0.012
    from_centre = np.hypot(xy[:, 0] - cx, xy[:, 1] - cy)
    inner = np.hypot(seeds[:, 0] - cx, seeds[:, 1] - cy) < frame
    dist = np.empty((len(xy), 2))
    idx = np.empty((len(xy), 2), dtype=int)
    for part, pixels in ((inner, from_centre < frame), (~inner, from_centre >= frame)):
        ids = np.flatnonzero(part)
        dist[pixels], local = cKDTree(seeds[ids]).query(xy[pixels], k=2)
        idx[pixels] = ids[local]
    i1, i2 = idx[:, 0], idx[:, 1]
    # distance from each pixel to the bisector between its two nearest seeds
    gap = np.linalg.norm(seeds[i2] - seeds[i1], axis=1)
    edge = (dist[:, 1] ** 2 - dist[:, 0] ** 2) / (2 * gap + 1e-12)
    # the window frame: a thicker ring of lead
    ring = np.abs(from_centre - frame) - 0.006
    edge = np.minimum(edge, ring).reshape(size, size) * size  # in pixels

    # glass: colour, a per-cell gradient, streaks, darker near the lead
    base = colours[i1].reshape(size, size, 3)
    angle = rng.uniform(0, 2 * np.pi, len(seeds))
    direction = np.stack([np.cos(angle), np.sin(angle)], -1)
    along = np.sum((xy - seeds[i1]) * direction[i1], axis=1).reshape(size, size)
    shade = 1.0 + 5.0 * along + rng.uniform(-0.1, 0.1, len(seeds))[i1].reshape(size, size)
    streak_rng = _noise(rng, size, max(4, size // 6))
    streaks = ndimage.gaussian_filter(streak_rng, (0.2, size / 40)) - 0.5
    mottle = _fbm(rng, size, cells=6, octaves=4)
    shade = shade * (1 + 0.35 * streaks + 0.06 * mottle)
    lead_px = max(0.5, 0.0055 * size)  # half the width of a lead line, in pixels
    shade *= 0.7 + 0.3 * _smoothstep(lead_px, lead_px + 0.03 * size, edge)
    light = 1.1 - 0.35 * np.hypot(x - cx, y - cy)  # light shines brightest through the middle
    img = base * (shade * light)[..., None]
    # a little white in the brightest glass, as light does
    img = img + 0.25 * np.clip(img.max(axis=-1, keepdims=True) - 0.7, 0, None)

    # lead: dark grey, a little lighter along its ridge, anti-aliased edges
    lead_alpha = np.clip(lead_px + 0.5 - edge, 0, 1)[..., None]
    ridge = np.clip(1 - edge / lead_px, 0, 1)[..., None]
    lead = 0.05 + 0.12 * ridge * np.array([1.0, 1.0, 1.05], np.float32)
    return img * (1 - lead_alpha) + lead * lead_alpha


# ---------------------------------------------------------------------------
# composition
# ---------------------------------------------------------------------------


def composition(rng: np.random.Generator, size: int) -> np.ndarray:
    """Compose circles, bars, triangles and lines on textured paper.

    In the manner of Kandinsky's compositions with a Mondrian-like block:
    a mottled cream ground with soft coloured washes, a large haloed circle,
    concentric rings, translucent overlapping discs, a block of primary-coloured
    rectangles in black frames, triangles, a checkerboard, arcs and crossing
    black lines, finished with paper grain.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    size : int
        Side of the square image in pixels.

    Returns
    -------
    numpy.ndarray
        float32 (size, size, 3) in [0, 1].
    """
    W = size * _UP
    u = W  # one unit of layout = the canvas side, so positions are fractions

    palette = {
        "red": (0.80, 0.12, 0.14), "blue": (0.10, 0.25, 0.66), "yellow": (0.98, 0.80, 0.12),
        "orange": (0.95, 0.48, 0.10), "violet": (0.45, 0.20, 0.55), "teal": (0.05, 0.52, 0.55),
        "pink": (0.92, 0.55, 0.62), "green": (0.25, 0.55, 0.25), "black": (0.06, 0.06, 0.08),
        "cream": (0.96, 0.92, 0.82),
    }
    names = ["red", "blue", "yellow", "orange", "violet", "teal", "pink", "green"]

    def pick():
        return palette[names[rng.integers(len(names))]]

    # ground: cream paper with large soft washes of colour
    ground = np.asarray(palette["cream"], np.float32) * (1 + 0.04 * _fbm(rng, W // 4, cells=3)[..., None])
    for colour in ((0.68, 0.78, 0.90), (0.96, 0.76, 0.68), (0.95, 0.88, 0.60)):
        wash = _smoothstep(0.45, 0.85, _noise(rng, W // 4, 3))[..., None]
        ground = ground * (1 - 0.7 * wash) + np.asarray(colour, np.float32) * 0.7 * wash
    canvas = _to_pil(ground).resize((W, W), Image.Resampling.BICUBIC).convert("RGBA")

    def layer():
        img = Image.new("RGBA", (W, W), (0, 0, 0, 0))
        return img, ImageDraw.Draw(img)

    def rgba(colour, alpha=1.0):
        return _rgb8(colour) + (int(round(alpha * 255)),)

    def box(cx, cy, r):
        return [(cx - r) * u, (cy - r) * u, (cx + r) * u, (cy + r) * u]

    lw = max(2, int(round(0.006 * u)))  # thin line width

    # 1. crossing lines, far behind everything
    img, d = layer()
    for _unused in range(7):
        a = rng.uniform(0, np.pi)
        px, py = rng.uniform(0.15, 0.85, 2)
        dx, dy = np.cos(a), np.sin(a)
        d.line([(px - dx) * u, (py - dy) * u, (px + dx) * u, (py + dy) * u], fill=rgba(palette["black"], 0.85),
               width=int(lw * rng.choice([1, 1, 2, 3])))
    canvas.alpha_composite(img)

    # 2. the big haloed circle (top-left quadrant), Kandinsky's signature
    bx, by, br = rng.uniform(0.22, 0.34), rng.uniform(0.22, 0.32), rng.uniform(0.14, 0.18)
    img, d = layer()
    halo = pick()
    for k in range(12, 0, -1):
        d.ellipse(box(bx, by, br * (1 + 0.04 * k)), fill=rgba(halo, 0.07))
    d.ellipse(box(bx, by, br), fill=rgba(palette["violet"] if halo != palette["violet"] else palette["blue"]))
    d.ellipse(box(bx - 0.2 * br, by - 0.15 * br, br * 0.55), fill=rgba(palette["black"], 0.9))
    d.ellipse(box(bx, by, br), outline=rgba(palette["black"]), width=lw * 2)
    canvas.alpha_composite(img)

    # 3. a block of Mondrian rectangles (bottom-left)
    img, d = layer()
    x0, y0 = rng.uniform(0.05, 0.12), rng.uniform(0.6, 0.68)
    x1, y1 = x0 + rng.uniform(0.3, 0.38), y0 + rng.uniform(0.24, 0.3)
    xs = np.sort(np.concatenate([[x0, x1], rng.uniform(x0 + 0.05, x1 - 0.05, 2)]))
    ys = np.sort(np.concatenate([[y0, y1], rng.uniform(y0 + 0.05, y1 - 0.05, 1)]))
    primaries = [palette["red"], palette["blue"], palette["yellow"], palette["cream"], palette["cream"]]
    for i in range(len(xs) - 1):
        for j in range(len(ys) - 1):
            c = primaries[rng.integers(len(primaries))]
            d.rectangle([xs[i] * u, ys[j] * u, xs[i + 1] * u, ys[j + 1] * u], fill=rgba(c),
                        outline=rgba(palette["black"]), width=lw * 2)
    canvas.alpha_composite(img)

    # 4. concentric rings (right side)
    img, d = layer()
    rx, ry, rr = rng.uniform(0.68, 0.8), rng.uniform(0.58, 0.72), rng.uniform(0.12, 0.16)
    ring_cols = rng.permutation(names)[:6]
    for k, name in enumerate(ring_cols):
        d.ellipse(box(rx, ry, rr * (1 - k / 6)), fill=rgba(palette[name]))
    d.ellipse(box(rx, ry, rr), outline=rgba(palette["black"]), width=lw)
    canvas.alpha_composite(img)

    # 5. translucent discs of many sizes scattered over the picture
    img, d = layer()
    for _unused in range(14):
        r = 0.12 * rng.random() ** 2 + 0.015
        cx, cy = rng.uniform(0.05, 0.95, 2)
        d.ellipse(box(cx, cy, r), fill=rgba(pick(), 0.7))
        if rng.random() < 0.5:
            d.ellipse(box(cx, cy, r), outline=rgba(palette["black"]), width=lw)
    canvas.alpha_composite(img)

    # 6. triangles: one large, a few small
    img, d = layer()
    for k in range(4):
        s = 0.2 if k == 0 else rng.uniform(0.05, 0.1)
        cx, cy = (rng.uniform(0.45, 0.6), rng.uniform(0.3, 0.45)) if k == 0 else rng.uniform(0.1, 0.9, 2)
        a = rng.uniform(0, 2 * np.pi)
        pts = [((cx + s * np.cos(a + t)) * u, (cy + s * np.sin(a + t)) * u) for t in (0, 2.1, 4.3)]
        colour = palette["yellow"] if k == 0 else pick()
        d.polygon(pts, fill=rgba(colour, 0.85 if k == 0 else 1.0))
        d.line(pts + [pts[0]], fill=rgba(palette["black"]), width=lw, joint="curve")
    canvas.alpha_composite(img)

    # 7. a checkerboard patch and a few bars
    img, d = layer()
    qx, qy, n, cell = rng.uniform(0.55, 0.72), rng.uniform(0.08, 0.16), 5, 0.022
    for i in range(n):
        for j in range(n):
            c = palette["black"] if (i + j) % 2 else palette["cream"]
            left, top = qx + i * cell, qy + j * cell
            d.rectangle([left * u, top * u, (left + cell) * u, (top + cell) * u], fill=rgba(c))
    for _unused in range(5):
        cx, cy = rng.uniform(0.1, 0.9, 2)
        a = rng.uniform(0, np.pi)
        length, thick = rng.uniform(0.1, 0.25), rng.uniform(0.01, 0.025)
        dx, dy = np.cos(a) * length / 2, np.sin(a) * length / 2
        d.line([(cx - dx) * u, (cy - dy) * u, (cx + dx) * u, (cy + dy) * u], fill=rgba(pick()),
               width=max(2, int(thick * u)))
    canvas.alpha_composite(img)

    # 8. arcs and fine lines in front
    img, d = layer()
    for _unused in range(4):
        cx, cy = rng.uniform(0.2, 0.8, 2)
        r = rng.uniform(0.08, 0.3)
        start = rng.uniform(0, 360)
        d.arc(box(cx, cy, r), start, start + rng.uniform(60, 160), fill=rgba(palette["black"]), width=lw * 2)
    for _unused in range(6):
        px, py = rng.uniform(0.05, 0.95, 2)
        a = rng.uniform(0, np.pi)
        length = rng.uniform(0.1, 0.35)
        d.line([px * u, py * u, (px + length * np.cos(a)) * u, (py + length * np.sin(a)) * u],
               fill=rgba(palette["black"]), width=max(1, lw // 2))
    for _unused in range(10):
        cx, cy = rng.uniform(0.05, 0.95, 2)
        d.ellipse(box(cx, cy, rng.uniform(0.006, 0.014)), fill=rgba(palette["black"]))
    for _unused in range(2):  # combs: short parallel strokes side by side
        cx, cy = rng.uniform(0.15, 0.85, 2)
        a = rng.uniform(0, np.pi)
        dx, dy = np.cos(a), np.sin(a)
        for k in range(-4, 5):
            ox, oy = cx + 0.012 * k * dy, cy - 0.012 * k * dx
            d.line([(ox - 0.04 * dx) * u, (oy - 0.04 * dy) * u, (ox + 0.04 * dx) * u, (oy + 0.04 * dy) * u],
                   fill=rgba(palette["black"]), width=max(1, lw // 2))
    gx0, gy0 = rng.uniform(0.1, 0.8, 2)  # a small grid of coloured dots
    dot = pick()
    for i in range(4):
        for j in range(4):
            d.ellipse(box(gx0 + 0.03 * i, gy0 + 0.03 * j, 0.008), fill=rgba(dot), outline=rgba(palette["black"]))
    canvas.alpha_composite(img)

    image = _from_pil(canvas, size)
    grain = _fbm(rng, size, cells=max(4, size // 2), octaves=2)
    paint = _fbm(rng, size, cells=6, octaves=5)
    return image * (1 + 0.025 * grain[..., None] + 0.035 * paint[..., None])


# ---------------------------------------------------------------------------
# pointillism
# ---------------------------------------------------------------------------


def pointillism(rng: np.random.Generator, size: int) -> np.ndarray:
    """Paint a sunny landscape in small round dots of jittered colour.

    A smooth scene (sky gradient, sun with its glow, clouds, layered hills,
    a lake with the sun's reflection, light and shadow, a few round trees) is built with NumPy and
    then re-painted dot by dot: each dot takes the scene's colour under it,
    shifted a little at random and sometimes towards a neighbouring hue, so
    that nearby dots mix in the eye as in Seurat's paintings.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    size : int
        Side of the square image in pixels.

    Returns
    -------
    numpy.ndarray
        float32 (size, size, 3) in [0, 1].
    """
    G = 256  # resolution of the smooth scene
    x, y = _grid(G)
    noise = _fbm(rng, G, cells=3, octaves=5)

    def col(c):
        return np.asarray(c, np.float32)

    horizon = rng.uniform(0.5, 0.56)
    # sky: deep blue at the top to warm peach at the horizon, with clouds
    t = np.clip(y / horizon, 0, 1)
    sky = _lerp_palette([(0.20, 0.42, 0.78), (0.45, 0.66, 0.90), (0.85, 0.85, 0.80), (0.99, 0.78, 0.55)], t**1.2)
    sun_x, sun_y, sun_r = rng.uniform(0.55, 0.8), rng.uniform(0.18, 0.3), 0.065
    d = np.hypot(x - sun_x, y - sun_y)
    glow = np.exp(-((d / 0.22) ** 2))
    sky = sky * (1 - 0.6 * glow[..., None]) + col((1.0, 0.85, 0.45)) * 0.6 * glow[..., None]
    clouds = _smoothstep(0.35, 1.3, _fbm(rng, G, cells=4, octaves=4))
    clouds *= _smoothstep(horizon, horizon - 0.25, y)
    sky = sky * (1 - 0.7 * clouds[..., None]) + col((1.0, 0.95, 0.92)) * 0.7 * clouds[..., None]
    sun = _smoothstep(sun_r, sun_r * 0.85, d)[..., None]
    sky = sky * (1 - sun) + col((1.0, 0.93, 0.55)) * sun
    scene = sky

    # hills, far (blue-violet) to near (yellow-green); the nearest hill is the field
    hill_cols = [((0.42, 0.45, 0.72), (0.55, 0.55, 0.78)), ((0.22, 0.50, 0.42), (0.35, 0.60, 0.45)),
                 ((0.30, 0.58, 0.20), (0.55, 0.70, 0.25))]
    tops = []
    for k, (dark, light) in enumerate(hill_cols):
        phase = rng.uniform(0, 2 * np.pi, 2)
        top = (horizon - 0.07 + 0.07 * k + (0.05 - 0.01 * k) * np.sin(2 * np.pi * (0.7 + 0.4 * k) * x + phase[0])
               + 0.02 * np.sin(2 * np.pi * 2.3 * x + phase[1]) + 0.008 * noise)
        tops.append(top)
        mask = _smoothstep(-0.004, 0.004, y - top)[..., None]
        shade = np.clip((y - top) * 4 + 0.09 * noise, 0, 1)
        hill = _lerp_palette([light, dark], shade)
        scene = scene * (1 - mask) + hill * mask

    # a lake across the lower part, reflecting the sky
    lake_top = horizon + 0.16 + rng.uniform(0, 0.04)
    lake_bottom = lake_top + 0.12 + 0.03 * np.sin(2 * np.pi * 1.2 * x + rng.uniform(0, 6.3))
    lake = (_smoothstep(-0.004, 0.004, y - lake_top) * _smoothstep(0.004, -0.004, y - lake_bottom))[..., None]
    depth = np.clip((y - lake_top) / 0.15, 0, 1)
    water = _lerp_palette([(0.55, 0.72, 0.92), (0.25, 0.48, 0.82), (0.12, 0.30, 0.62)], depth + 0.1 * noise)
    water = water * (1 + 0.1 * np.sin(2 * np.pi * 14 * y + 2 * noise))[..., None]
    sun_path = (np.exp(-(((x - sun_x) / 0.04) ** 2)) * (1 - 0.6 * depth))[..., None]
    water = water * (1 - 0.6 * sun_path) + 0.6 * sun_path * col((1.0, 0.88, 0.55))
    scene = scene * (1 - lake) + water * lake
    near = _lerp_palette([(0.75, 0.72, 0.35), (0.40, 0.62, 0.20), (0.18, 0.40, 0.16)],
                         (y - lake_bottom) * 5 + 0.1 * noise)
    shore = _smoothstep(-0.004, 0.004, y - lake_bottom)[..., None]
    scene = scene * (1 - shore) + near * shore

    # patches of light and shadow on the land; shadows lean towards blue
    land = _smoothstep(-0.004, 0.004, y - tops[0])[..., None] * (1 - lake)
    patches = _smoothstep(-0.6, 0.6, _fbm(rng, G, cells=4, octaves=3))[..., None]
    lit = scene * 1.12 + 0.04 * col((1.0, 0.9, 0.4))
    shadow = scene * 0.65 + 0.08 * col((0.2, 0.2, 0.6))
    scene = scene * (1 - land) + (lit * patches + shadow * (1 - patches)) * land

    # trees: a big one in the foreground at one edge, small ones on the middle hill
    edge_x = rng.choice([0.08, 0.92]) + rng.uniform(-0.02, 0.02)
    trees = [(edge_x, 0.99, 0.16, 3.2)]  # (x, ground, crown radius, trunk height / radius)
    for _unused in range(40):
        if len(trees) == 3:
            break
        tx = rng.uniform(0.08, 0.92)
        if all(abs(tx - t[0]) > 0.2 for t in trees) and abs(tx - sun_x) > 0.08:
            ground_y = float(tops[1][0, min(G - 1, int(tx * G))]) + 0.015
            trees.append((tx, ground_y, rng.uniform(0.035, 0.05), 2.6))
    for tx, ground_y, tr, stem in trees:
        trunk = (np.abs(x - tx) < tr * 0.12) & (y < ground_y) & (y > ground_y - tr * stem)
        scene = np.where(trunk[..., None], col((0.30, 0.18, 0.12)), scene)
        cy_ = ground_y - tr * stem
        dd = np.hypot(x - tx, (y - cy_) / 1.3)
        crown = _smoothstep(tr, tr * 0.92, dd + 0.25 * tr * noise)[..., None]
        towards_sun = (np.sign(sun_x - tx) * (x - tx) - 0.5 * (y - cy_)) / tr
        leaf = _lerp_palette([(0.03, 0.12, 0.10), (0.10, 0.28, 0.12), (0.40, 0.55, 0.18)],
                             0.4 + 0.3 * towards_sun + 0.15 * noise)
        scene = scene * (1 - crown) + leaf * crown
    scene = np.clip(scene, 0, 1)

    # --- dots -----------------------------------------------------------------
    W = size * _UP
    ground = 0.55 * ndimage.gaussian_filter(scene, (4, 4, 0)) + 0.45 * np.array([0.97, 0.94, 0.86])
    canvas = _to_pil(np.stack([_resize(ground[..., c], W) for c in range(3)], -1))
    draw = ImageDraw.Draw(canvas)
    accents = np.array([(0.95, 0.45, 0.35), (0.30, 0.35, 0.85), (0.98, 0.85, 0.30), (0.45, 0.75, 0.95),
                        (0.85, 0.45, 0.70), (0.35, 0.65, 0.30)], np.float32)
    for radius, spacing, jitter in ((0.0085, 1.5, 0.05), (0.0055, 1.6, 0.065)):
        r_px = max(radius * W, 1.5)
        step = spacing * r_px / W
        m = int(np.ceil(1.0 / step))
        gx, gy = np.meshgrid((np.arange(m) + 0.5) * step, (np.arange(m) + 0.5) * step)
        pts = np.stack([gx.ravel(), gy.ravel()], -1) + rng.uniform(-0.5, 0.5, (m * m, 2)) * step
        pts = pts[rng.permutation(len(pts))]
        c = _sample(scene, np.clip(pts, 0, 0.999))
        c = c * rng.uniform(0.88, 1.12, (len(pts), 1)) + rng.normal(0, jitter, c.shape)
        accent = rng.random(len(pts)) < 0.1
        c[accent] = 0.55 * c[accent] + 0.45 * accents[rng.integers(len(accents), size=int(accent.sum()))]
        grey = c.mean(axis=1, keepdims=True)
        c = grey + 1.25 * (c - grey)  # a little more saturated than the scene
        rs = r_px * rng.uniform(0.8, 1.2, len(pts))
        for (px, py), rad, ci in zip(pts * W, rs, c):
            draw.ellipse([px - rad, py - rad, px + rad, py + rad], fill=_rgb8(ci))

    return _from_pil(canvas, size)


# ---------------------------------------------------------------------------
# The catalogue and the command line
# ---------------------------------------------------------------------------

STYLES: dict[str, Callable[[np.random.Generator, int], np.ndarray]] = {
    "swirl": swirl,
    "mosaic": mosaic,
    "composition": composition,
    "pointillism": pointillism,
}
"""The course's styles by name: each a function ``(rng, size) -> image``."""


def make(name: str, size: int = 512, seed: int = 0) -> np.ndarray:
    """Paint one of the course's style images.

    Parameters
    ----------
    name : str
        One of the keys of :data:`STYLES`: ``"swirl"``, ``"mosaic"``,
        ``"composition"`` or ``"pointillism"``.
    size : int, optional
        Side of the square image in pixels, at least 32.
    seed : int, optional
        Seed of the random generator; the same (name, size, seed) always gives
        the same image, another seed a different one.

    Returns
    -------
    numpy.ndarray
        float32, C-contiguous, shape (size, size, 3), values in [0, 1].

    Raises
    ------
    ImageError
        If ``name`` is not a known style.
    SettingError
        If ``size`` is not a whole number >= 32.

    Examples
    --------
    >>> from course_utils import art
    >>> art.make("mosaic", size=64).shape
    (64, 64, 3)
    """
    if not isinstance(name, str) or name not in STYLES:
        known = ", ".join(STYLES)
        raise ImageError(_("Unknown style {name!r}; the course's styles are: {known}.").format(name=name, known=known))
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < MIN_SIZE:
        raise SettingError(
            _("Cannot paint a style image of size {size!r}: use a whole number of pixels, {smallest} or more, "
              "like size=512.").format(size=size, smallest=MIN_SIZE)
        )
    rng = np.random.default_rng(seed)
    image = STYLES[name](rng, int(size))
    return np.ascontiguousarray(np.clip(image, 0.0, 1.0), dtype=np.float32)


def main(argv=None) -> None:
    """Write the style images as PNG files: ``python -m course_utils.art OUTDIR``.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``): the output folder,
        then optionally ``--size N`` (default 512), ``--seed N`` (default 0) and
        ``--only NAME ...`` to paint only some of the styles.
    """
    from .images import save  # imported here so that `art` stays light to import

    parser = argparse.ArgumentParser(
        prog="python -m course_utils.art",
        description="Paint the course's own style images and save them as OUTDIR/<name>.png.",
    )
    parser.add_argument("outdir", type=Path, help="folder to write the PNG files into (created if missing)")
    parser.add_argument("--size", type=int, default=512, help="side of each image in pixels (default: 512)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--only", nargs="+", choices=list(STYLES), metavar="NAME",
                        help=f"paint only these styles (choose from: {', '.join(STYLES)})")
    args = parser.parse_args(argv)
    for name in args.only or list(STYLES):
        start = time.perf_counter()
        try:
            image = make(name, size=args.size, seed=args.seed)
        except (ImageError, SettingError) as error:
            parser.error(str(error))  # a one-line message and exit status 2, like any bad argument
        path = save(image, args.outdir / f"{name}.png")
        print(f"wrote {path} ({args.size}x{args.size}, seed {args.seed}, {time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
