"""Print pip constraints pinning every direct dependency of akhbar to its lowest allowed
version (``>=X`` -> ``==X``), for the lowest-versions run (``make test-lowest``).

Only the direct dependencies are pinned; pip resolves the others as for a user who installs
akhbar with its oldest allowed dependencies.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

_LOWER = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(?:==|>=)\s*([^,;\s]+)")


def lowest_pins(pyproject: Path, extras: tuple[str, ...] = ()) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in extras:
        specs += project.get("optional-dependencies", {}).get(extra, [])
    pins = []
    for spec in specs:
        match = _LOWER.match(spec)
        if match:
            pins.append(f"{match[1]}=={match[3]}")
    return pins


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    print("\n".join(lowest_pins(root / "pyproject.toml")))
