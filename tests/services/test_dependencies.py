"""Dependencies between work items: both directions, no cycles."""

from __future__ import annotations

import pytest

from statusboard.domain.errors import NotFoundError, ValidationError
from statusboard.domain.work_items import NewWorkItem
from statusboard.wiring import App


def tasks(app: App, n: int) -> list[str]:
    return [app.work_items.create("a", NewWorkItem(item_type="task", title=f"T{i}"))["id"] for i in range(n)]


def test_dependency_shows_on_both_ends_with_the_related_item(app: App) -> None:
    a, b = tasks(app, 2)
    app.dependencies.add("a", b, a, "depends_on")
    (out,) = app.work_items.query(b)["dependencies"]
    assert (out["type"], out["direction"], out["related_item"]["title"]) == ("depends_on", "outgoing", "T0")
    (inc,) = app.work_items.query(a)["dependencies"]
    assert (inc["direction"], inc["related_item"]["id"]) == ("incoming", b)


@pytest.mark.parametrize(
    "edges",
    [
        [(0, 1, "depends_on"), (1, 0, "depends_on")],
        [(0, 1, "depends_on"), (1, 2, "depends_on"), (2, 0, "depends_on")],
        [(0, 1, "blocks"), (1, 2, "blocks"), (2, 0, "blocks")],
        [(0, 1, "depends_on"), (0, 2, "blocks"), (2, 1, "blocks")],
    ],
)
def test_the_edge_that_closes_a_cycle_is_refused(app: App, edges: list[tuple[int, int, str]]) -> None:
    ids = tasks(app, 3)
    *allowed, closing = edges
    for src, dst, kind in allowed:
        app.dependencies.add("a", ids[src], ids[dst], kind)
    with pytest.raises(ValidationError) as caught:
        app.dependencies.add("a", ids[closing[0]], ids[closing[1]], closing[2])
    assert "cycle" in caught.value.message


def test_diamond_is_not_a_cycle(app: App) -> None:
    a, b, c, d = tasks(app, 4)
    for src, dst in ((b, a), (c, a), (d, b), (d, c)):
        app.dependencies.add("x", src, dst, "depends_on")
    assert len(app.work_items.query(d)["dependencies"]) == 2


def test_self_duplicate_and_missing_dependencies_are_refused(app: App) -> None:
    a, b = tasks(app, 2)
    with pytest.raises(ValidationError):
        app.dependencies.add("x", a, a, "depends_on")
    app.dependencies.add("x", a, b, "depends_on")
    with pytest.raises(ValidationError):
        app.dependencies.add("x", a, b, "blocks")
    with pytest.raises(NotFoundError):
        app.dependencies.add("x", a, "00000000-0000-0000-0000-000000000000", "depends_on")


def test_removed_dependency_is_gone_and_removing_again_is_not_found(app: App) -> None:
    a, b = tasks(app, 2)
    app.dependencies.add("x", a, b, "depends_on")
    removed = app.dependencies.remove("x", a, b)
    assert removed["dependency_type"] == "depends_on"
    assert app.work_items.query(a)["dependencies"] == []
    with pytest.raises(NotFoundError):
        app.dependencies.remove("x", a, b)
    app.dependencies.add("x", b, a, "depends_on")  # the reverse is fine once the first is gone
