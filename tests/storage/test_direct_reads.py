"""The hot reads on a kept driver connection (Database.read_direct) answer exactly what the
same statements answer through SQLAlchemy on a pooled connection, types converted alike."""

from __future__ import annotations

from typing import Any

from statusboard.domain.vendors import NewVendor
from statusboard.domain.work_items import NewWorkItem
from statusboard.storage.repositories import vendors as vendors_repo
from statusboard.storage.repositories.item_view import item_view, item_view_on
from statusboard.wiring import App


def _item(app: App, title: str, parent: str | None = None, **fields: Any) -> str:
    draft = NewWorkItem(item_type="task" if parent else "project", title=title, parent_id=parent, **fields)
    return str(app.work_items.create("tester", draft)["id"])


def test_the_direct_read_converts_every_column_as_sqlalchemy_does(app: App) -> None:
    assert app.db.reads_direct
    root = _item(app, "root")
    middle = _item(app, "middle", root, metadata={"priority": "high", "estimated_hours": 3.5})
    leaf = _item(app, "leaf", middle, branch_name="feature/x")
    other = _item(app, "other", root)
    app.dependencies.add("tester", leaf, other, "depends_on")
    app.dependencies.add("tester", other, middle, "blocks")

    for item_id in (leaf, middle, other, root, "00000000-0000-4000-8000-000000000000"):
        with app.db.reading() as conn:
            pooled = item_view(conn, item_id)
        direct = app.db.read_direct(lambda d, item_id=item_id: item_view_on(d, item_id))
        assert direct == pooled
        rows = [*direct[0], *(item for _, item in direct[1])], [*pooled[0], *(item for _, item in pooled[1])]
        for a, b in zip(*rows, strict=True):
            assert [type(v) for v in a.values()] == [type(v) for v in b.values()]
    chain, links, claim = app.db.read_direct(lambda d: item_view_on(d, leaf))
    assert [item["title"] for item in chain] == ["root", "middle", "leaf"] and len(links) == 1
    assert chain[1]["metadata"] == {"priority": "high", "estimated_hours": 3.5}
    assert claim is None
    claimed = app.claims.claim("holder", leaf, 60)
    app.claims.claim("holder", middle, 60)  # an ancestor's claim is not the item's
    with app.db.reading() as conn:
        pooled_claim = item_view(conn, leaf)[2]
    direct_claim = app.db.read_direct(lambda d: item_view_on(d, leaf))[2]
    assert direct_claim == pooled_claim == {"holder": "holder", "expires_at": claimed["expires_at"], "ended_at": None}


def test_the_direct_vendor_lookup_answers_as_the_pooled_one(app: App) -> None:
    metadata = {"format_support": {"excel": True, "csv": False, "pdf": True, "ocr": False}, "extractor_version": "1.0"}
    app.vendors.create("tester", NewVendor(name="Acme_Parser", metadata=metadata))
    for key in ("acme_parser", "nobody"):
        with app.db.reading() as conn:
            pooled = vendors_repo.by_key(conn, key)
        direct = app.db.read_direct(lambda d, key=key: vendors_repo.by_key_on(d, key))
        assert direct == pooled
        if direct is not None and pooled is not None:
            assert [type(v) for v in direct.values()] == [type(v) for v in pooled.values()]
    assert app.vendors.query("ACME_parser")["metadata"]["format_support"]["pdf"] is True
