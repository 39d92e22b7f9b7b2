"""A copy of this checkout's installable files in a temporary directory: installing from the copy
leaves the checkout as it is (no build/ or egg-info written into it) and shows that these files
are all an install needs."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALLABLE = ("pyproject.toml", "README.md", "src", "scripts")
INSTALL_TIMEOUT_S = 600  # from a package index: slow on a cold cache, bounded all the same


def copy_checkout(target: Path) -> Path:
    target.mkdir(parents=True)
    ignored = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in INSTALLABLE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignored, symlinks=True)
        else:
            shutil.copy2(source, target / name)
    return target
