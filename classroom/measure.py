#!/usr/bin/env python3
"""What a notebook costs a server: seconds, peak memory and cores of its kernel, per notebook.

``python -m classroom.measure notebooks/01_cnn_features.ipynb --mode quick --out build/measure.json``
runs each notebook top to bottom in a fresh ``python3`` kernel (in an empty working folder, as
the book does) and records, per notebook:

- ``seconds``: wall-clock time of all its cells, and ``slow_cells`` (code cells over 15 s);
- ``peak_rss_mib``: the kernel's peak resident memory (``ru_maxrss`` of the kernel process, read
  in the kernel after the last cell), and the same for processes the kernel started;
- ``cores``: CPU seconds (user + system) of the kernel divided by its wall-clock seconds: how many
  cores it kept busy on average.

The numbers are what the instructor's guide and the README's server sizing quote. The results
are appended to ``--out`` (a JSON list), so a long run can be split up; ``python -m
classroom.measure --table quick.json full.json`` prints them as the guide's Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in the kernel before the first cell and after the last: CPU seconds so far, peak memory.
_PROBE = (
    "import resource as _r, json as _j\n"
    "_s, _c = _r.getrusage(_r.RUSAGE_SELF), _r.getrusage(_r.RUSAGE_CHILDREN)\n"
    "print('COURSE-MEASURE ' + _j.dumps({'cpu': _s.ru_utime + _s.ru_stime, 'rss_kib': _s.ru_maxrss,"
    " 'children_cpu': _c.ru_utime + _c.ru_stime, 'children_rss_kib': _c.ru_maxrss}))\n"
)


def _probe(client, nb, cell_index: int) -> dict:
    import nbformat

    cell = nbformat.v4.new_code_cell(_PROBE)
    nb.cells.insert(cell_index, cell)
    try:
        client.execute_cell(cell, cell_index)
    finally:
        nb.cells.pop(cell_index)
    for output in cell.outputs:
        for line in output.get("text", "").splitlines():
            if line.startswith("COURSE-MEASURE "):
                return json.loads(line.split(" ", 1)[1])
    raise RuntimeError("the kernel did not answer the measuring cell")


def measure(path: Path, quick: bool, threads: int | None = None) -> dict:
    """Run one notebook and return its costs (see the module docstring)."""
    import nbformat
    from nbclient import NotebookClient

    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("MPLBACKEND", None)
    env.pop("COURSE_QUICK", None)
    if quick:
        env["COURSE_QUICK"] = "1"
    if threads:
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                     "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
            env[name] = str(threads)
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="course-measure-") as cwd:
        client = NotebookClient(nb, timeout=None, startup_timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": cwd}})
        client.reset_execution_trackers()
        with client.setup_kernel(env=env, cwd=cwd, stderr=subprocess.DEVNULL):
            before = _probe(client, nb, 0)
            start = time.perf_counter()
            slow = []
            for index, cell in enumerate(nb.cells):
                began = time.perf_counter()
                client.execute_cell(cell, index)
                took = time.perf_counter() - began
                if cell.cell_type == "code" and took > 15:
                    code = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code")
                    first = next((line for line in cell.source.splitlines()
                                  if line.strip() and not line.startswith("#")), "")
                    slow.append({"code_cell": code, "seconds": round(took, 1), "first_line": first[:80]})
            seconds = time.perf_counter() - start
            after = _probe(client, nb, len(nb.cells))
    cpu = after["cpu"] - before["cpu"] + after["children_cpu"] - before["children_cpu"]
    return {
        "notebook": path.name,
        "mode": "quick" if quick else "full",
        "threads": threads or "default",
        "seconds": round(seconds, 1),
        "peak_rss_mib": round(after["rss_kib"] / 1024),
        "children_peak_rss_mib": round(after["children_rss_kib"] / 1024),
        "cpu_seconds": round(cpu, 1),
        "cores": round(cpu / seconds, 2) if seconds else None,
        "slow_cells": slow,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "measured": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def stated_minutes(path: Path) -> str:
    """What a notebook's "Time needed" line says its computing takes at full size, e.g. '6 min'."""
    text = " ".join("".join(cell["source"]) for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
                    if cell["cell_type"] == "markdown")
    found = re.search(r"of which about (\d+) minutes", text)
    if found:
        return f"{found.group(1)} min"
    return "1 min" if re.search(r"takes about a minute", text) else "–"


def table(results: list[dict], notebooks: Path = ROOT / "notebooks") -> str:
    """A Markdown table of the latest measurement of each notebook in each mode."""
    latest = {(r["notebook"], r["mode"]): r for r in results}
    names = sorted({name for name, _ in latest} | {p.name for p in notebooks.glob("*.ipynb")})
    rows = ["| notebook | quick mode | full mode: the notebook says | full mode, measured | full: CPU time | "
            "peak memory, quick / full | cores used (full) | cells over a minute (full) |",
            "|---|---|---|---|---|---|---|---|"]
    for name in names:
        quick, full = latest.get((name, "quick")), latest.get((name, "full"))
        q = f"{quick['seconds']:.0f} s" if quick else "–"
        f = f"{full['seconds'] / 60:.1f} min" if full else "not measured"
        cpu = f"{full['cpu_seconds'] / 60:.1f} min" if full else "–"
        memory = f"{quick['peak_rss_mib'] / 1024:.1f} GiB" if quick else "–"
        memory += f" / {full['peak_rss_mib'] / 1024:.1f} GiB" if full else ""
        cores = f"{full['cores']:.1f}" if full else "–"
        slow = "; ".join(f"cell {c['code_cell']} ({c['seconds'] / 60:.1f} min: `{c['first_line'][:40]}`)"
                         for c in sorted(full["slow_cells"], key=lambda c: -c["seconds"])[:3]
                         if c["seconds"] >= 60) if full else "–"
        said = stated_minutes(notebooks / name) if (notebooks / name).is_file() else "–"
        rows.append(f"| {name[:2]} | {q} | {said} | {f} | {cpu} | {memory} | {cores} | {slow or 'none'} |")
    return "\n".join(rows)


def main(argv=None) -> int:
    if argv is None and sys.argv[1:2] == ["--table"]:
        argv = sys.argv[1:]
    if argv and argv[0] == "--table":
        results = [entry for name in argv[1:] for entry in json.loads(Path(name).read_text())]
        print(table(results))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--mode", choices=("quick", "full"), default="quick")
    parser.add_argument("--threads", type=int, default=None, help="limit TensorFlow/BLAS threads, as the hub does")
    parser.add_argument("--out", type=Path, required=True, help="a JSON list; results are appended")
    args = parser.parse_args(argv)
    results = json.loads(args.out.read_text()) if args.out.is_file() else []
    for path in args.notebooks:
        entry = measure(path, args.mode == "quick", args.threads)
        results.append(entry)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"{entry['notebook']:<34} {entry['mode']:<5} {entry['seconds']:7.1f} s  "
              f"peak {entry['peak_rss_mib']:5d} MiB  {entry['cores']:.2f} cores", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
