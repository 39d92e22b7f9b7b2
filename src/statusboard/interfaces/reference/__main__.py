"""`python -m statusboard.interfaces.reference [--write | --check] [PATH]`: renders the
generated parts of the reference page (docs/reference.md, from the checkout's root) again.
Without an option it prints the page; --write rewrites it; --check exits 1 if it is out of date."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from statusboard.interfaces.reference.document import REGENERATE, regenerated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m statusboard.interfaces.reference", description=__doc__)
    parser.add_argument("path", nargs="?", default="docs/reference.md", help="the page (default: %(default)s)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="rewrite the page's generated parts")
    action.add_argument("--check", action="store_true", help="exit 1 if the page is out of date")
    args = parser.parse_args(argv)
    path = Path(args.path)
    page = path.read_text(encoding="utf-8")
    fresh = regenerated(page)
    if args.check:
        if fresh != page:
            print(f"{path} is out of date: run {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    if args.write:
        if fresh != page:
            path.write_text(fresh, encoding="utf-8")
        print(f"{path}: {'rewritten' if fresh != page else 'up to date'}")
        return 0
    sys.stdout.write(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
