"""Writes a screenshot of the board at the seed's data set (bench/board_data.py) to a PNG file.

    .venv/bin/python -m bench.board_screenshot docs/board.png     (or scripts/board-screenshot)

It loads the seed into a fresh SQLite file in a temporary directory, starts `statusboard serve`
there, opens the board in Debian's chromium (Playwright, with the system browser: no download)
once its event stream is live, and saves the whole page.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bench.board import served
from bench.board_data import seed
from statusboard.config import Settings
from statusboard.wiring import build_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 15_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.board_screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="the PNG file to write")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--viewport-only", action="store_true", help="only what fits the window, not the whole page")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="statusboard-screenshot-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'status.db'}"
        app = build_app(Settings(database_url=url))
        try:
            seed(app, "seed")
        finally:
            app.close()
        with served(url, Path(tmp)) as address, sync_playwright() as playwright:
            browser = playwright.chromium.launch_persistent_context(
                str(Path(tmp) / "profile"),
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": args.width, "height": args.height},
            )
            page = browser.new_page()
            page.goto(f"http://{address}/")
            page.wait_for_selector("#live-state.live", timeout=WAIT_MS)
            args.output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.output), full_page=not args.viewport_only)
            browser.close()
    print(f"wrote {args.output} ({os.path.getsize(args.output)} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
