"""Schema-driven fuzzing of the whole API: no input may cause a 5xx, and every
response must match the OpenAPI document. Bounded and derandomized, so it is
deterministic; it runs on both databases through the ``app`` fixture."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from booking.extensions import close_databases
from booking.seeding import seed_demo
from tests.conftest import NOW, app_for

EXAMPLES = 50
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def app(database_url):
    """The fuzzer sends thousands of requests a minute on one token: no rate limit here
    (``test_limits`` covers the 429s)."""
    application = app_for(database_url, LIMITS_API="1000000/minute")
    yield application
    with application.app_context():
        close_databases()


def test_no_input_causes_a_server_error_or_breaks_the_schema(app):
    with app.app_context():
        admin = next(u for u in seed_demo("fuzz", NOW) if u.role == "admin")
    headers = {"Authorization": f"Bearer {admin.token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def exercise(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        exercise()
