"""Every text a client can send, in any route's body, query, path, header or form, is a SafeStr
(or passes its validator), and every instant an Instant: a new field that forgets it fails
here, not in production."""

import types
import typing
from collections.abc import Iterator
from datetime import datetime
from enum import Enum
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel

from api import health
from api.app import CONTEXT_ROUTES
from api.schemas import storable
from application.shared.pagination import utc_instant


def unchecked_text(annotation: Any, metadata: list[Any], where: str) -> Iterator[str]:
    """Where `annotation` holds a `str` (a `datetime`) that no `storable` (`utc_instant`)
    validator checks."""
    validators = {m.func for m in metadata if isinstance(m, AfterValidator)}
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *more = typing.get_args(annotation)
        yield from unchecked_text(inner, [*metadata, *more], where)
    elif annotation is str:
        if storable not in validators:
            yield where
    elif annotation is datetime:
        if utc_instant not in validators:
            yield where
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            yield from unchecked_text(field.annotation, field.metadata, f"{where}.{name}")
    elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from unchecked_text(arg, metadata, where)
    elif typing.get_origin(annotation) in (list, dict, set, frozenset, tuple):
        for arg in typing.get_args(annotation):
            yield from unchecked_text(arg, [], where)
    elif annotation in (None, type(None), int, float, bool) or (
        isinstance(annotation, type) and issubclass(annotation, Enum)
    ):
        return


def route_inputs(path: str, dependant: Dependant) -> Iterator[str]:
    """Unchecked text among the inputs of a route and of every dependency it uses."""
    params = [
        *dependant.path_params,
        *dependant.query_params,
        *dependant.header_params,
        *dependant.cookie_params,
        *dependant.body_params,
    ]
    for param in params:
        info = param.field_info
        yield from unchecked_text(info.annotation, list(info.metadata), f"{path} {param.name}")
    for dependency in dependant.dependencies:
        yield from route_inputs(path, dependency)


def test_every_text_input_of_every_route_is_safe_text() -> None:
    routers = [*(r for context in CONTEXT_ROUTES for r in context.routers), health.router]
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 40
    assert [where for route in routes for where in route_inputs(route.path, route.dependant)] == []
