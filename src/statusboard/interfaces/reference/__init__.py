"""docs/reference.md's generated parts: the tools, their result shapes, the errors and the limits,
rendered from the specs and constants that make them true, so the page cannot drift from them.
`python -m statusboard.interfaces.reference --write` regenerates them (see document.py)."""
