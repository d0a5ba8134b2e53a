"""The OpenAPI document tells the truth about errors. Each endpoint, and each dependency it uses,
declares the errors it can raise with `@raises(...)`; ERROR_TABLE gives their status and code;
what the HTTP machinery answers on its own (a malformed or oversized body, invalid parameters)
follows from the operation's inputs. Every problem is `application/problem+json`, and each
status lists the `code` values it can carry (ADR 0017)."""

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic.json_schema import models_json_schema

from api.errors import VALIDATION_FAILED, ProblemSpec, spec_of
from api.problems import PROBLEM_MEDIA_TYPE, TITLES, Problem, http_problem

F = TypeVar("F", bound=Callable[..., Any])
# An error class listed in ERROR_TABLE, or a problem the HTTP machinery answers itself.
Raised = type[Exception] | ProblemSpec

RAISES = "__raises__"
PROBLEM_REF = "#/components/schemas/Problem"

# Answered before an endpoint runs: the request limits for headers too large (any request) or
# a body too large (any request with a body), FastAPI for a body it cannot parse, the
# validation handler for invalid parameters.
HEADERS_TOO_LARGE = ProblemSpec(431, *http_problem(431))
MALFORMED_BODY = ProblemSpec(400, *http_problem(400))
BODY_TOO_LARGE = ProblemSpec(413, *http_problem(413))

# For a parameter the application checks itself, to answer its absence with a problem of its
# own: parsed as optional, documented as required, with its first example as the value to send.
REQUIRED_IN_DOCUMENT: dict[str, Any] = {"x-required": True}


def raises(*errors: Raised) -> Callable[[F], F]:
    """Declare the errors an endpoint or a dependency can raise: the document lists them."""

    def declare(func: F) -> F:
        setattr(func, RAISES, (*getattr(func, RAISES, ()), *errors))
        return func

    return declare


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` return FastAPI's document with every operation's problems."""
    generate = app.openapi
    documented: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        document = generate()
        if not documented or documented[0] is not document:
            document_problems(document, app.routes)
            documented[:] = [document]
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def document_problems(document: dict[str, Any], routes: Iterable[Any]) -> None:
    """Write each operation's problem responses and required headers, in place; a route's own
    non-problem answers (readiness's 503) stay."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    _, definitions = models_json_schema(
        [(Problem, "serialization")], ref_template="#/components/schemas/{model}"
    )
    schemas.update(definitions.get("$defs", {}))
    operations = {
        operation["operationId"]: operation
        for path in document["paths"].values()
        for operation in path.values()
    }
    for route in _api_routes(routes):
        operation = operations[route.unique_id]
        for parameter in operation.get("parameters", []):
            _mark_required(parameter)
        responses = operation["responses"]
        responses.pop("422", None)  # FastAPI's HTTPValidationError, which we never send
        for status, codes in sorted(_codes_by_status(problems_of(route, operation)).items()):
            responses.setdefault(str(status), problem_response(status, codes))


def problems_of(route: APIRoute, operation: dict[str, Any]) -> list[ProblemSpec]:
    """What this operation can answer besides success: declared, then implied by its inputs."""
    specs = [
        error if isinstance(error, ProblemSpec) else spec_of(error)
        for error in _declared(route.dependant, route.endpoint)
    ]
    specs.append(HEADERS_TOO_LARGE)
    if "requestBody" in operation:
        specs.append(BODY_TOO_LARGE)
    if route.body_field is not None:
        specs.append(MALFORMED_BODY)
    if route.body_field is not None or operation.get("parameters"):
        specs.append(VALIDATION_FAILED)
    return specs


def problem_response(status: int, codes: dict[str, str]) -> dict[str, Any]:
    """One status's response: a Problem whose `code` is one of `codes` (code -> title)."""
    listed = ", ".join(f"`{code}` ({title})" for code, title in codes.items())
    schema = {
        "allOf": [{"$ref": PROBLEM_REF}],
        "properties": {"status": {"enum": [status]}, "code": {"enum": list(codes)}},
    }
    response: dict[str, Any] = {
        "description": f"{TITLES.get(status, 'Error')}: {listed}",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}},
    }
    headers = {
        name: header
        for name, (statuses, code, header) in PROBLEM_HEADERS.items()
        if status in statuses and (code is None or code in codes)
    }
    if headers:
        response["headers"] = headers
    return response


# The headers `api.errors` sends with a problem: for every status listed, or only with `code`.
PROBLEM_HEADERS: dict[str, tuple[tuple[int, ...], str | None, dict[str, Any]]] = {
    "Retry-After": (
        (429, 503),
        None,
        {
            "description": "Seconds to wait before trying again.",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        },
    ),
    "WWW-Authenticate": (
        (401,),
        "not_authenticated",
        {
            "description": "`Bearer`, with `not_authenticated`.",
            "schema": {"type": "string", "examples": ["Bearer"]},
        },
    ),
}


def _mark_required(parameter: dict[str, Any]) -> None:
    schema = parameter["schema"]
    if not schema.pop("x-required", False):
        return
    parameter["required"] = True
    present = [option for option in schema.pop("anyOf", []) if option.get("type") != "null"]
    schema.update(*present)
    parameter["example"] = schema["examples"][0]


def _api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every documented route, also those of included routers that FastAPI keeps nested."""
    for route in routes:
        if isinstance(route, APIRoute):
            if route.include_in_schema:
                yield route
        elif (router := getattr(route, "original_router", None)) is not None:
            yield from _api_routes(router.routes)


def _declared(dependant: Dependant, endpoint: Callable[..., Any]) -> Iterator[Raised]:
    yield from getattr(endpoint, RAISES, ())
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield from _declared(dependency, dependency.call)


def _codes_by_status(specs: Iterable[ProblemSpec]) -> dict[int, dict[str, str]]:
    by_status: dict[int, dict[str, str]] = {}
    for spec in specs:
        by_status.setdefault(spec.status, {})[spec.code] = spec.title
    return by_status
