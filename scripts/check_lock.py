"""Exit 1 when a dependency declared in pyproject.toml is missing from a lock file.

python scripts/check_lock.py requirements.lock [extra ...]
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(extras):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project.get("optional-dependencies", {}).get(extra, [])
    names = {
        normalise(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0])
        for requirement in requirements
    }
    return {name for name in names if name != "unact-portal"}


def locked(lock_file):
    pins = re.findall(
        r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", (ROOT / lock_file).read_text(), re.MULTILINE
    )
    return {normalise(name) for name in pins}


def missing(lock_file, extras=()):
    return sorted(declared(extras) - locked(lock_file))


if __name__ == "__main__":
    lock_file, *extras = sys.argv[1:]
    absent = missing(lock_file, extras)
    if absent:
        print(
            f"{lock_file} lacks {', '.join(absent)}: run `make lock`.", file=sys.stderr
        )
        sys.exit(1)
