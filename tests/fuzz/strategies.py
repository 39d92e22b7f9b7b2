"""Hypothesis strategies for a tool's arguments, built from the JSON schema tools/list gives for it,
with hostile values mixed in.

The builder knows the keywords our listing uses (type, enum, const, properties, required,
additionalProperties, patternProperties, items, minItems, maxItems, minLength, maxLength,
pattern, format uuid/date-time, minimum, maximum, anyOf/oneOf); a schema it does not
understand becomes any JSON value, so a new tool or keyword is still sent something.

Half the calls get arguments the schema allows (often naming records that exist, so they
reach the services and the databases); the other half get such arguments with one change at
one place, anywhere in them: a value at or just past a bound the schema states, a hostile
value (huge, deep, out of range, of the wrong type, an impossible date), a NUL character or a
lone surrogate added to a string, an unknown key, a key left out.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

SearchStrategy = st.SearchStrategy
MEGABYTE_PLUS = (1 << 20) + 1


def nested_lists(levels: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(levels - 1):
        value = [value]
    return value


def nested_objects(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


KNOWN_MAX = 200  # of each kind: enough to name real records often, few enough to draw from quickly
HOSTILE_INTEGERS = [2**63, 2**64, -(2**63) - 1, 10**30, 2**53, 2**53 - 1, -(2**53), 2**31, 2**31 - 1, -1, 0]
HOSTILE_FLOATS = [math.nan, math.inf, -math.inf, 1e308, -0.0, 0.5, 2.0**63]
HOSTILE_TIMESTAMPS = [
    "0001-01-01T00:00:00Z",
    "1-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "9999-12-31T23:59:59-14:00",  # year 10000 in UTC
    "1970-01-01T00:00:00+14:00",  # 1969 in UTC
    "1969-12-31T23:59:59Z",
    "2026-02-30T00:00:00Z",
    "2026-01-01T00:00:00",  # no offset
    "2026-01-01",
]
HOSTILE_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfff",
    "\n",
    "line\nbreak",
    "\u202egnp.exe",
    "'; DROP TABLE work_items; --",
    "%s%n{0}",
    "../../../../etc/passwd",
    "/etc/passwd",
    "🦀" * 60,
    "x" * MEGABYTE_PLUS,
    "é" * 600_000,  # 1.2 MB as UTF-8
    *HOSTILE_TIMESTAMPS,
]
HOSTILE_NESTING = [11, 100, 254, 1000, 5000]  # beyond 254 levels the SDK's client cannot send it


def _json_values() -> SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    )


def hostile_values() -> SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(HOSTILE_INTEGERS),
        st.sampled_from(HOSTILE_FLOATS),
        st.sampled_from(HOSTILE_STRINGS),
        st.sampled_from(HOSTILE_NESTING).map(nested_lists),
        st.sampled_from(HOSTILE_NESTING).map(nested_objects),
        st.just(["x"] * 101),
        st.just({f"k{n}": n for n in range(1000)}),
        _json_values(),
    )


@dataclass
class Known:
    """What earlier answers named, so generated arguments often name real things: ids, vendor
    names, claim tokens, session ids, files in the project."""

    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def by_property(self, name: str) -> list[str] | None:
        if name in {"name", "vendor_name", "vendor_names"}:
            return self.names
        if name == "claim_token":
            return self.tokens
        if name in {"session_id", "current_session_id"}:
            return self.sessions
        if name == "path":
            return self.paths
        return None


class SchemaStrategies:
    """Builds the strategies for one listed input schema (see the module's docstring)."""

    def __init__(self, known: Known) -> None:
        self.known = known

    def arguments(self, schema: dict[str, Any]) -> SearchStrategy[dict[str, Any]]:
        """A tool's arguments: what the schema allows, in half the calls with one change at one
        place (see the module's docstring). Always an object: anything else is not a tools/call
        the SDK sends."""
        return _with_one_change(self._object(schema, ""), schema)

    def _fitting(self, schema: dict[str, Any], name: str) -> SearchStrategy[Any]:
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        for combined in ("anyOf", "oneOf"):
            if combined in schema:
                return st.one_of([self._fitting(option, name) for option in schema[combined]])
        types = schema.get("type")
        if isinstance(types, list):
            return st.one_of([self._fitting({**schema, "type": one}, name) for one in types])
        builders: dict[str, Callable[[dict[str, Any], str], SearchStrategy[Any]]] = {
            "object": self._object,
            "array": self._array,
            "string": self._string,
            "integer": lambda s, _n: _integer(s),
            "number": lambda s, _n: _number(s),
            "boolean": lambda _s, _n: st.booleans(),
            "null": lambda _s, _n: st.none(),
        }
        builder = builders.get(types) if isinstance(types, str) else None
        if builder is None:
            return self._object(schema, name) if "properties" in schema else _json_values()
        return builder(schema, name)

    def _object(self, schema: dict[str, Any], _name: str) -> SearchStrategy[Any]:
        properties: dict[str, Any] = schema.get("properties", {})
        required = [key for key in schema.get("required", []) if key in properties]
        optional = {key: self._fitting(sub, key) for key, sub in properties.items() if key not in required}
        fitting = st.fixed_dictionaries(
            {key: self._fitting(properties[key], key) for key in required}, optional=optional
        )
        for pattern, sub in schema.get("patternProperties", {}).items():
            keyed = st.dictionaries(st.from_regex(pattern, fullmatch=True), self._fitting(sub, ""), max_size=3)
            fitting = st.tuples(fitting, keyed).map(lambda pair: {**pair[1], **pair[0]})
        if schema.get("additionalProperties", True) is not False:
            extra = st.dictionaries(_words(10), _json_values(), max_size=3)
            fitting = st.tuples(fitting, extra).map(lambda pair: {**pair[1], **pair[0]})
        return fitting

    def _array(self, schema: dict[str, Any], name: str) -> SearchStrategy[Any]:
        low = schema.get("minItems", 0)
        items = self._fitting(schema.get("items", {}), name)
        return st.lists(items, min_size=low, max_size=max(low, min(schema.get("maxItems", 4), 4)))

    def _string(self, schema: dict[str, Any], name: str) -> SearchStrategy[Any]:
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        options: list[SearchStrategy[Any]] = []
        if schema.get("format") == "uuid":
            options += [st.uuids().map(str), *[_one_of(self.known.ids, str(uuid.UUID(int=1)))] * 3]
        elif schema.get("format") == "date-time":
            moments = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 30))
            options.append(moments.map(lambda moment: moment.replace(tzinfo=UTC).isoformat()))
        elif "pattern" in schema:
            matching = st.from_regex(schema["pattern"], fullmatch=True)
            options.append(matching.filter(lambda text: low <= len(text) <= (high or len(text))))
        else:
            options.append(_words(min(high or 40, 40), max(low, 1) if low else 0))
        known = self.known.by_property(name)
        if known is not None:
            options += [_one_of(known, "unknown")] * 3
        return st.one_of(options)


def _one_of(known: list[str], otherwise: str) -> SearchStrategy[str]:
    """One of the `known` values as they are when drawn. The draw is the same whatever they
    are (an index), so Hypothesis sees the same choices when an example is replayed."""
    return st.integers(min_value=0, max_value=KNOWN_MAX - 1).map(
        lambda index: known[index % len(known)] if known else otherwise
    )


def _words(max_size: int, min_size: int = 0) -> SearchStrategy[str]:
    """Text without control characters or surrogates (those come as hostile values)."""
    printable = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))
    return st.text(printable, min_size=min_size, max_size=max_size)


Place = tuple[tuple[str | int, ...], dict[str, Any]]


def _places(value: Any, schema: dict[str, Any]) -> list[Place]:
    """Every place in `value` (its path and the schema that describes it), the root first."""
    places: list[Place] = []
    pending: list[tuple[tuple[str | int, ...], Any, dict[str, Any]]] = [((), value, schema)]
    while pending:
        path, item, sub = pending.pop()
        places.append((path, sub))
        if isinstance(item, dict):
            properties = sub.get("properties", {})
            pending.extend(((*path, key), inner, properties.get(key, {})) for key, inner in item.items())
        elif isinstance(item, list):
            pending.extend(((*path, index), inner, sub.get("items", {})) for index, inner in enumerate(item))
    return places


def _replaced(value: Any, path: tuple[str | int, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


def _at(value: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


@st.composite
def _changed_once(draw: st.DrawFn, value: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    path, sub = draw(st.sampled_from(_places(value, schema)))
    here = _at(value, path)
    changes = [_boundary(sub), _tainted(st.just(here)), hostile_values()] if path else []  # the root stays an object
    if isinstance(here, dict):
        changes.append(st.tuples(_words(10, 1), hostile_values()).map(lambda extra: {**here, extra[0]: extra[1]}))
        if here:
            changes.append(st.sampled_from(sorted(here)).map(lambda key: {k: v for k, v in here.items() if k != key}))
    return _replaced(value, path, draw(st.one_of(changes)))


def _with_one_change(fitting: SearchStrategy[dict[str, Any]], schema: dict[str, Any]) -> SearchStrategy[dict[str, Any]]:
    # The fitting arguments are listed first, so a failing example shrinks towards them.
    return st.tuples(fitting, st.booleans()).flatmap(
        lambda drawn: _changed_once(drawn[0], schema) if drawn[1] else st.just(drawn[0])
    )


def _boundary(schema: dict[str, Any]) -> SearchStrategy[Any]:
    """Values at and just past the schema's stated bounds (none stated: any hostile value)."""
    values: list[Any] = []
    for key in ("minimum", "maximum"):
        if key in schema:
            values += [schema[key], schema[key] + (1 if key == "maximum" else -1)]
    for key in ("minLength", "maxLength"):
        if key in schema:
            values += ["b" * schema[key], "b" * (schema[key] + (1 if key == "maxLength" else -1))]
    if "maxItems" in schema:
        values += [["x"] * schema["maxItems"], ["x"] * (schema["maxItems"] + 1)]
    return st.sampled_from(values) if values else hostile_values()


def _tainted(fitting: SearchStrategy[Any]) -> SearchStrategy[Any]:
    """A fitting string with a NUL character or a lone surrogate in it (other values as they are)."""
    taint = st.sampled_from(["\x00", "\ud800", "\udc00"])
    return st.tuples(fitting, taint, st.booleans()).map(
        lambda drawn: (
            (drawn[0] + drawn[1] if drawn[2] else drawn[1] + drawn[0]) if isinstance(drawn[0], str) else drawn[0]
        )
    )


def _integer(schema: dict[str, Any]) -> SearchStrategy[int]:
    low, high = schema.get("minimum"), schema.get("maximum")
    near_low = st.integers(min_value=low, max_value=low + 4) if low is not None else st.integers(-4, 4)
    return st.one_of(near_low, st.integers(min_value=low, max_value=high))


def _number(schema: dict[str, Any]) -> SearchStrategy[float]:
    return st.floats(min_value=schema.get("minimum"), max_value=schema.get("maximum"), allow_nan=False)


def strings_in(value: Any) -> Sequence[str]:
    """Every string in a JSON value, keys included (iteratively: values may nest thousands deep)."""
    found: list[str] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.extend(key for key in item if isinstance(key, str))
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found
