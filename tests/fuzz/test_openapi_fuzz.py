"""The fuzz stage of `make test` (`make fuzz`): every operation of the OpenAPI document, called
with valid and invalid requests that schemathesis derives from the document, as an anonymous
caller, a customer and an admin. No answer may be a 5xx, and every answer must match the
document: its status, media type, body schema and headers. Generation is derandomized (the same
requests every run) and bounded by MAX_EXAMPLES per operation and mode (ADR 0017)."""

import asyncio
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.core.result import Ok

from tests.fuzz.conftest import FuzzedShop
from tests.support.servers import endless_header

MAX_EXAMPLES = 10
# Strings may hold U+0000 (every text a client sends is a SafeStr: a 422 naming the field, ADR
# 0016). They are drawn from what UTF-8 encodes, so lone surrogates are left to
# tests/e2e/test_hostile_inputs.py.
CONFIG = schemathesis.Config.from_dict({"generation": {"allow-x00": True}})
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def _fuzz(operation: Any, base_url: str, headers: dict[str, str], mode: GenerationMode) -> set[str]:
    """Each distinct failure once, unshrunk: one report lists every operation's."""
    failures: dict[str, str] = {}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as exc:
            found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
            for failure in found:
                title = getattr(failure, "title", type(failure).__name__)
                answer = f"{response.status_code} {_code(response)}"
                kind = f"{operation.label} [{mode.value}] {title}: {answer}"
                failures.setdefault(kind, f"{getattr(failure, 'message', '')[:300]}")

    try:
        run()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE, f"{operation.label}: no valid request"
        # An operation without parameters or body has no invalid request to make.
    return {f"{kind}\n    {example}" for kind, example in failures.items()}


def _code(response: Any) -> str:
    """The problem's code, to tell failures apart; else the media type."""
    try:
        body = response.json()
    except ValueError:
        body = None
    return str(body.get("code")) if isinstance(body, dict) else response.headers.get("content-type")


# About 60 operations x 2 modes x MAX_EXAMPLES requests: well under a minute on an idle machine.
@pytest.mark.timeout(600)
@pytest.mark.parametrize("identity", ["anonymous", "customer", "admin"])
def test_every_operation_answers_as_documented(fuzzed_shop: FuzzedShop, identity: str) -> None:
    document = httpx.get(f"{fuzzed_shop.base_url}/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document, config=CONFIG)
    failures: list[str] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the document has an invalid operation: {result.err()}"
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            headers = fuzzed_shop.headers_of(identity)
            failures += sorted(_fuzz(operation, fuzzed_shop.base_url, headers, mode))
    assert not failures, "\n\n".join(failures)


def test_the_fuzzed_shop_reads_requests_as_agora_serve_does(fuzzed_shop: FuzzedShop) -> None:
    """The same HTTP options (h11 and its header bound): a header block that never ends is cut
    off by the server, as in production."""
    assert asyncio.run(endless_header(fuzzed_shop.base_url)).startswith(b"HTTP/1.1 400 ")
