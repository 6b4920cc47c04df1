"""Measuring a diffusion model with notebook 06's judge: samplers against steps, guidance, seconds per sample.

- :func:`judge_metric`    FID-like distance and class coverage during training (for the trainer's ``metrics``)
- :func:`sampler_sweep`   each sampler at each number of steps: FID-like, coverage, seconds per sample
- :func:`guidance_sweep`  each guidance scale: the share judged as the asked-for digit, and FID-like
- :func:`Row`, :func:`table` the results as rows and as a Markdown table
- :func:`train_for`       a GAN trained for as long as a diffusion model was, for a fair comparison
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from ..errors import SettingError
from ..validate import positive_int as _positive_int
from ..i18n import _

__all__ = ["judge_metric", "Row", "sampler_sweep", "guidance_sweep", "table", "train_for"]


def judge_metric(judge, real, *, samples: int = 500, steps: int = 20, seed: int = 0):
    """``metric(model) -> {"fid_like", "coverage"}``: DDIM samples (no label) from fixed noise, against ``real``."""
    real_features = judge.features(real)
    samples, steps = _positive_int(samples, "samples", "500"), _positive_int(steps, "steps", "20")

    def metric(model) -> dict:
        fake = model.sample(samples, steps, seed=seed)
        return judge.score(fake, real_features=real_features).as_dict()

    return metric


@dataclasses.dataclass
class Row:
    """One measurement: a sampler (or a generator) and what the judge says of its samples."""

    method: str
    steps: int | None
    fid_like: float
    coverage: int
    seconds_per_sample: float
    label_accuracy: float | None = None
    guidance: float | None = None


def _timed(make):
    start = time.perf_counter()
    out = make()
    return out, time.perf_counter() - start


def sampler_sweep(model, judge, real_features, steps=(1000, 250, 50, 20, 10, 5), *, samples: int = 250,
                  methods=("DDPM", "DDIM"), seed: int = 1, clip: float | None = 1.0, progress: bool = True) -> list:
    """Each sampler ("DDPM": eta 1, "DDIM": eta 0) at each number of steps, from the same starting noise.

    Seconds per sample are the wall-clock time of the whole run divided by ``samples``.
    """
    from tqdm.auto import tqdm

    samples = _positive_int(samples, "samples", "250")
    etas = {"DDPM": 1.0, "DDIM": 0.0}
    unknown = [m for m in methods if m not in etas]
    if unknown:
        raise SettingError(_("methods must be 'DDPM' and/or 'DDIM'; got {method!r}.").format(method=unknown[0]))
    jobs = [(m, int(k)) for m in methods for k in steps]
    rows = []
    for method, k in tqdm(jobs, desc=_("samplers"), unit="run", disable=not progress):
        fake, seconds = _timed(lambda: model.sample(samples, k, eta=etas[method], seed=seed, clip=clip))
        score = judge.score(fake, real_features=real_features)
        rows.append(Row(method, k, score.fid_like, score.coverage.covered, seconds / samples))
    return rows


def guidance_sweep(model, judge, real_features, scales=(0.0, 1.0, 2.0, 3.0, 5.0), *, per_class: int = 30,
                   steps: int = 20, seed: int = 2, progress: bool = True) -> list:
    """For each guidance scale: ``per_class`` DDIM samples of each class, the share judged as asked, FID-like."""
    from tqdm.auto import tqdm

    if not model.conditional:
        raise SettingError(_("guidance needs a class-conditional model (Diffusion(..., n_classes=10))."))
    per_class = _positive_int(per_class, "per_class", "30")
    labels = np.tile(np.arange(model.n_classes), per_class)
    rows = []
    for scale in tqdm(list(scales), desc=_("guidance"), unit="scale", disable=not progress):
        fake, seconds = _timed(lambda: model.sample(len(labels), steps, labels=labels, guidance=float(scale),
                                                    seed=seed))
        score = judge.score(fake, real_features=real_features, labels=labels)
        rows.append(Row("DDIM, guided", steps, score.fid_like, score.coverage.covered, seconds / len(labels),
                        score.label_accuracy, float(scale)))
    return rows


def table(rows, *, floor: float | None = None) -> str:
    """The rows as a Markdown table (FID-like: lower is better; ``floor``: real digits against real ones)."""
    rows = list(rows)
    guided = any(r.guidance is not None for r in rows)
    head = [_("method"), _("steps")] + ([_("guidance"), _("asked-for digit")] if guided else []) + \
           [_("FID-like"), _("classes covered"), _("ms per sample")]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        method = _("DDIM, guided") if r.method == "DDIM, guided" else r.method  # the others are names
        cells = [method, "–" if r.steps is None else f"{r.steps:,}"]
        if guided:
            cells += ["–" if r.guidance is None else f"{r.guidance:g}",
                      "–" if r.label_accuracy is None else f"{r.label_accuracy:.0%}"]
        cells += [f"{r.fid_like:.1f}", _("{covered} of 10").format(covered=r.coverage),
                  f"{1000 * r.seconds_per_sample:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    if floor is not None:
        lines.append("\n" + _("Floor (real digits against other real digits): FID-like {floor:.1f}.").format(
            floor=floor))
    return "\n".join(lines)


def train_for(run, seconds: float, *, description: str | None = None, progress: bool = True) -> float:
    """Train a GAN trainer (notebook 06's) whole epochs until its training time reaches ``seconds``.

    The diffusion model's and the GAN's trainers count the same thing (wall-clock seconds of training
    steps, sampling and checkpoints left out), so this gives a GAN the same training time. Returns
    the GAN's seconds: at most one epoch more than asked.
    """
    from tqdm.auto import tqdm

    if isinstance(seconds, bool) or not isinstance(seconds, (int, float, np.integer, np.floating)) or seconds <= 0:
        raise SettingError(_("seconds must be a positive number of seconds, like 120; got {seconds!r}.").format(
            seconds=seconds))

    def done() -> float:
        return run.history["seconds"][-1] if run.history["seconds"] else 0.0

    with tqdm(total=round(float(seconds)), desc=description or _("training"), unit="s", disable=not progress) as bar:
        while done() < seconds:
            before = done()
            run.train(run.epoch + 1)
            bar.update(min(round(done()), round(float(seconds))) - min(round(before), round(float(seconds))))
    return done()
