"""The reference page with its generated parts in place. Each part stands between two markers,

    <!-- generated: NAME -->
    …
    <!-- end generated: NAME -->

and everything outside the markers is written by hand and kept as it is."""

from __future__ import annotations

import re
from collections.abc import Callable

from statusboard.interfaces.reference.refusals import errors_section, limits_section
from statusboard.interfaces.reference.shapes import shapes_section
from statusboard.interfaces.reference.tools import tools_section

REGENERATE = ".venv/bin/python -m statusboard.interfaces.reference --write"
PARTS: dict[str, Callable[[], str]] = {
    "tools": tools_section,
    "results": shapes_section,
    "errors": errors_section,
    "limits": limits_section,
}


def regenerated(page: str) -> str:
    """`page` with every generated part rendered again from the code."""
    for name, render in PARTS.items():
        start, end = f"<!-- generated: {name} -->", f"<!-- end generated: {name} -->"
        pattern = re.compile(re.escape(start) + r"\n.*?" + re.escape(end), flags=re.DOTALL)
        found = list(pattern.finditer(page))
        if len(found) != 1:
            raise ValueError(f"the page needs one '{start}' … '{end}' part")
        page = page[: found[0].start()] + f"{start}\n\n{render()}\n\n{end}" + page[found[0].end() :]
    return page
