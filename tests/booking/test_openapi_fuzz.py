"""Schema-driven fuzzing of the whole API: no input may cause a 5xx, and every
response must match the OpenAPI document. Bounded and derandomized, so it is
deterministic; it runs on both databases through the ``app`` fixture."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
)

from booking.extensions import close_databases
from booking.seeding import seed_demo
from tests.conftest import NOW, app_for

EXAMPLES = 50
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]


@pytest.fixture
def app(database_url):
    """The fuzzer sends thousands of requests a minute on one token and one address: no
    rate limit here (``test_limits`` and ``test_self_service`` cover the 429s)."""
    application = app_for(
        database_url, LIMITS_API="1000000/minute", LIMITS_SIGN_IN="1000000/minute"
    )
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


def test_every_documented_error_is_problem_json_and_bearer_operations_name_401_and_429(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    named = spec["components"]["responses"]

    def resolve(response):
        ref = response.get("$ref", "")
        return named[ref.rsplit("/", 1)[-1]] if ref else response

    seen = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                if status == "default" or int(status) >= 400:
                    content = resolve(response)["content"]
                    assert list(content) == ["application/problem+json"], (method, path, status)
                    assert content["application/problem+json"]["schema"] == {
                        "$ref": "#/components/schemas/Problem"
                    }
                    seen += 1
            if operation.get("security") == []:
                assert "401" not in operation["responses"], (method, path)
                continue
            limited = resolve(operation["responses"]["429"])
            assert "Retry-After" in limited["headers"], (method, path)
            assert "WWW-Authenticate" in resolve(operation["responses"]["401"])["headers"]
    assert seen > 100
    public = {
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and operation.get("security") == []
    }
    assert public == {
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "GET /api/v1/feeds/{secret}/mine.ics",
        "GET /api/v1/feeds/{secret}/tenant.ics",
        "GET /api/v1/feeds/{secret}/resources/{resource_id}.ics",
        "POST /api/v1/password-reset",  # limited per address: it documents its 429
    }
    asking = spec["paths"]["/api/v1/password-reset"]["post"]["responses"]
    assert "Retry-After" in resolve(asking["429"])["headers"]
