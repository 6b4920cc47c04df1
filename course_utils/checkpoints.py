"""The course's checkpoint files: one ``.npz`` a run, written atomically, read with one-sentence errors.

Every trainer keeps its state this way: :class:`course_utils.gan.trainer.GANTrainer` (notebook 06)
and :class:`course_utils.diffusion.trainer.DiffusionTrainer` (notebook 08), both through
:class:`course_utils.epochs.EpochTrainer`, and :class:`course_utils.fast.fit.NetworkTrainer` (notebook 07). A checkpoint
holds NumPy arrays named ``<group>/0000``, ``<group>/0001`` ... (one per variable of a group:
a network, an optimiser) and a JSON ``meta`` entry whose ``format`` names the kind of run
(:data:`GAN_FORMAT`, :data:`NETWORK_FORMAT`); a file of another kind is refused.

- :func:`write_checkpoint` / :func:`read_checkpoint`  the file, atomically, and back
- :func:`variable_arrays` / :func:`assign_arrays`     variables → arrays → variables
- :func:`check_compatible`                            does a checkpoint fit this model and these settings?
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ._io import atomic_path
from .errors import CourseError
from .i18n import _

__all__ = ["GAN_FORMAT", "NETWORK_FORMAT", "FORMATS", "CheckpointError", "write_checkpoint", "read_checkpoint",
           "variable_arrays", "assign_arrays", "check_compatible"]

#: The kind written into a GAN trainer's checkpoints (the name is the module that first wrote them).
GAN_FORMAT = "course_utils.gan.trainer/1"
#: The kind written into an image network trainer's checkpoints.
NETWORK_FORMAT = "course_utils.fit/1"
#: Every kind of checkpoint the course writes.
FORMATS = (GAN_FORMAT, NETWORK_FORMAT)


class CheckpointError(CourseError, ValueError):
    """A checkpoint cannot be used: damaged, incomplete, or written for another model or data."""


def write_checkpoint(path, arrays: dict, meta: dict, *, format: str) -> Path:
    """Write NumPy ``arrays`` (name -> array) and JSON-able ``meta`` to one .npz file, atomically.

    The file appears under its name only once it is complete and flushed to disk; a
    failure or an interruption while writing leaves the previous file as it was.
    ``format`` names the kind of checkpoint (:func:`read_checkpoint` refuses another kind).
    """
    path = Path(path)
    payload = dict(arrays)
    payload["meta"] = np.array(json.dumps({"format": format, **meta}))
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **payload)
            f.flush()
            os.fsync(f.fileno())
    return path


def read_checkpoint(path, *, format: str) -> tuple[dict, dict]:
    """(arrays, meta) from a file :func:`write_checkpoint` wrote with the same ``format``.

    Raises :class:`CheckpointError` with one sentence for a missing, damaged,
    truncated or foreign file.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(_("There is no checkpoint file at {path}.").format(path=path))
    try:
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"][()]))
            arrays = {name: f[name] for name in f.files if name != "meta"}
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, OSError) as err:
        raise CheckpointError(_("The checkpoint {path} is damaged or incomplete ({kind}: {detail}); delete it "
                                "to train from the start, or pass resume=False.").format(
                                    path=path, kind=type(err).__name__, detail=_first_clause(err))) from None
    if not isinstance(meta, dict) or meta.get("format") != format:
        raise CheckpointError(_("{path} is not a checkpoint of {kind} (format {found!r}); choose another folder, "
                                "or pass resume=False to replace it.").format(
                                    path=path, kind=format.split("/")[0],
                                    found=meta.get("format") if isinstance(meta, dict) else None))
    return arrays, meta


def variable_arrays(groups: dict) -> dict:
    """``<group>/<index>`` -> a copy of the variable's value, for every variable of every group."""
    return {f"{group}/{i:04d}": np.array(v.numpy(), copy=True)
            for group, variables in groups.items() for i, v in enumerate(variables)}


def assign_arrays(groups: dict, arrays: dict) -> None:
    """Give every variable of ``groups`` its value from ``arrays`` (what :func:`variable_arrays` made)."""
    for group, variables in groups.items():
        for i, variable in enumerate(variables):
            variable.assign(arrays[f"{group}/{i:04d}"])


def check_compatible(arrays: dict, meta: dict, where, groups: dict, settings: dict, advice: str) -> None:
    """CheckpointError (one sentence ending in ``advice``) unless a checkpoint fits this run.

    ``groups`` maps a name ("generator", "optimizer" ...) to the variables that the arrays
    ``<name>/0000``, ``<name>/0001`` ... must fill, one for one and shape for shape;
    ``settings`` maps a key of ``meta`` to the value this run needs there.
    """
    for group, variables in groups.items():
        stored = sorted(name for name in arrays if name.startswith(group + "/"))
        if len(stored) != len(variables):
            raise CheckpointError(_("{where} was written for a different model: its {group} has "
                                    "{stored} variables, this one {here}; {advice}.").format(
                                        where=where, group=group, stored=len(stored), here=len(variables),
                                        advice=advice))
        for name, variable in zip(stored, variables):
            if tuple(arrays[name].shape) != tuple(variable.shape):
                raise CheckpointError(_("{where} was written for a different model: {group} variable "
                                        "{path} has shape {stored} there and {here} here; {advice}.").format(
                                            where=where, group=group, path=variable.path,
                                            stored=tuple(arrays[name].shape), here=tuple(variable.shape),
                                            advice=advice))
    for key, here in settings.items():
        if meta.get(key) != here:
            raise CheckpointError(_("{where} was written for a run with {key}={stored}, and this one "
                                    "has {key}={here}; use the same settings to continue it, or {advice}.").format(
                                        where=where, key=key, stored=meta.get(key), here=here, advice=advice))


def _first_clause(err) -> str:
    text = str(err).split("\n")[0].strip().rstrip(".") or _("no details")
    text = text.replace(". ", "; ")
    return text[:100]
