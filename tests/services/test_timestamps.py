"""A timestamp a client gives keeps its instant on both backends: stored in UTC, read back in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusboard.domain.deployments import NewDeployment
from statusboard.domain.errors import ValidationError
from statusboard.domain.validation import validated
from statusboard.wiring import App
from tests.conftest import mcp_client

METADATA = {"commit_hash": "abc1234", "pr_number": 7}


def deploy_at(app: App, timestamp: Any) -> dict[str, Any]:
    return app.deployments.record(
        "release-bot", validated(NewDeployment, {"metadata": METADATA, "timestamp": timestamp})
    )


def test_a_deployment_time_with_an_offset_keeps_its_instant(app: App) -> None:
    recorded = deploy_at(app, "2025-06-01T10:00:00+05:00")
    assert recorded["timestamp"] == "2025-06-01T05:00:00+00:00"
    assert app.deployments.query(recorded["id"])["timestamp"] == "2025-06-01T05:00:00+00:00"
    assert app.deployments.list()["deployments"][0]["timestamp"] == "2025-06-01T05:00:00+00:00"


@pytest.mark.anyio
async def test_a_deployment_time_with_an_offset_keeps_its_instant_over_mcp(app: App) -> None:
    async with mcp_client(app) as client:
        result = await client.call_tool(
            "record_deployment", {"metadata": METADATA, "timestamp": "2025-06-01T10:00:00-07:30"}
        )
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["timestamp"] == "2025-06-01T17:30:00+00:00"


@pytest.mark.parametrize(
    "timestamp",
    ["2025-06-01T10:00:00", "1969-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00"],
)
def test_a_time_without_an_offset_or_outside_the_years_is_refused(app: App, timestamp: str) -> None:
    with pytest.raises(ValidationError) as refused:
        deploy_at(app, timestamp)
    assert refused.value.details["errors"][0]["field"] == "timestamp"
    assert app.deployments.list()["deployments"] == []


OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
INSTANTS = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(UTC))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(instant=INSTANTS, offset=OFFSETS)
def test_any_offset_keeps_the_instant_in_utc(app: App, instant: datetime, offset: timezone) -> None:
    given_as = instant.astimezone(offset).isoformat()
    recorded = deploy_at(app, given_as)
    stored = datetime.fromisoformat(app.deployments.query(recorded["id"])["timestamp"])
    assert stored.utcoffset() == timedelta(0)
    assert stored == instant
