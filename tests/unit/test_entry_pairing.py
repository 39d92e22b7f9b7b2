"""Pairing a file's entries with the rows a database holds: by id, else by key, a row for each entry."""

from __future__ import annotations

from datetime import UTC, date, datetime

from statusboard.domain.entry_pairing import Pairing, Surplus, deployment_key, prompt_key


def test_a_row_named_by_id_is_not_taken_for_an_entry_without_one() -> None:
    pairing = Pairing({"x", "y"}, [("same", "x"), ("same", "y")], ["x"])
    assert pairing.take(None, "same", 1) == "y"  # x is the entry on line 2
    assert pairing.take("x", "same", 2) == "x"
    assert pairing.matched == 2 and pairing.surplus() == []


def test_an_entry_with_an_id_the_database_lacks_takes_no_row_of_its_key() -> None:
    pairing = Pairing({"y"}, [("same", "y")], ["x"])
    assert pairing.take("x", "same", 1) is None
    assert pairing.matched == 0


def test_rows_beyond_the_entries_of_a_key_are_surplus_and_other_keys_are_not() -> None:
    pairing = Pairing((), [("a", "1"), ("a", "2"), ("a", "3"), ("b", "4")], ())
    assert [pairing.take(None, "a", 7), pairing.take(None, "a", 9)] == ["1", "2"]
    assert pairing.surplus() == [Surplus(line=7, listed=2, extra=1)]  # "b" is not in the file


def test_keys_compare_what_the_file_shows() -> None:
    recorded = datetime(2025, 10, 1, 14, 3, 7, 999_999, tzinfo=UTC)
    assert deployment_key(recorded, "abc1234", 5) == deployment_key(recorded.replace(microsecond=0), "abc1234", 5)
    assert deployment_key(recorded.replace(tzinfo=None), "abc1234", 5) == deployment_key(recorded, "abc1234", 5)
    day = date(2025, 10, 2)
    assert prompt_key(day, "s", "---\nx: 1\n---\nbody") == prompt_key(day, "s", "---\nx: 1\n---\nbody\n\n")
    assert prompt_key(day, "s", "body\n  ") != prompt_key(day, "s", "body\n")  # a line of spaces is written
