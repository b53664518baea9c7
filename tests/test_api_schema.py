"""schemathesis against the portal's own OpenAPI document, through WSGI (no server):
every documented operation, with generated arguments, answers as documented (status
codes, content types, headers, response schemas) and never with a server error.

schemathesis' pytest plugin does not run under pytest 9, so each operation is a
parametrized test that runs the operation's hypothesis strategy itself."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from portal.opendata.openapi import document
from tests.indicator_support import *  # noqa: F403 - fixtures

SCHEMA = schemathesis.openapi.from_dict(document("http://localhost/api/v1"))
LABELS = [result.ok().label for result in SCHEMA.get_all_operations()]
EXAMPLES = 25


@pytest.fixture(scope="module")
def wsgi_schema(demo_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)


def test_the_served_document_is_the_one_tested(wsgi_schema):
    assert sorted(r.ok().label for r in wsgi_schema.get_all_operations()) == sorted(LABELS)


@pytest.mark.parametrize("label", LABELS)
def test_the_api_answers_as_its_openapi_document_says(wsgi_schema, label):
    operation = wsgi_schema.find_operation_by_label(label)

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate()

    check()
