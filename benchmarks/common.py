"""What the benchmark scripts share: the machine's description and writing results into README.md."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

README = Path(__file__).with_name("README.md")


def machine() -> str:
    """CPU model, cores, GPUs and library versions, in one line."""
    from course_utils._tf import keras, tf

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpus = tf.config.list_physical_devices("GPU")
    device = f"{len(gpus)} GPU(s)" if gpus else "no GPU"
    return (f"{cpu}, {os.cpu_count()} cores, {device}; Python {platform.python_version()}, "
            f"TensorFlow {tf.__version__}, Keras {keras.__version__}")


def write_readme(name: str, table: str, readme: Path = README) -> None:
    """Put ``table`` between the ``<!-- name:start -->`` and ``<!-- name:end -->`` marks (atomically)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = readme.read_text(encoding="utf-8")
    block = f"{start}\n{table}\n{end}"
    if start in text and end in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    tmp = readme.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(readme)
