"""Every domain and application error has exactly one problem+json mapping."""

import importlib
import pkgutil

import application
import domain
from api.errors import ERROR_TABLE
from application.shared.errors import ApplicationError, TooManyAttempts, Unavailable
from domain.shared.errors import DomainError


def _all_subclasses(base: type) -> set[type]:
    found: set[type] = set()
    sub: type
    for sub in base.__subclasses__():
        found |= {sub} | _all_subclasses(sub)
    return found


def test_every_error_the_core_can_raise_is_mapped() -> None:
    for package in (domain, application):
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
            importlib.import_module(module.name)
    raisable = {
        cls
        for cls in _all_subclasses(DomainError) | _all_subclasses(ApplicationError)
        if cls.__module__.startswith(("domain.", "application."))
    }
    assert raisable, "no error classes found"
    unmapped = {cls.__name__ for cls in raisable if cls not in ERROR_TABLE}
    assert unmapped == set()


def test_codes_are_unique_per_status() -> None:
    pairs = [(spec.status, spec.code) for spec in ERROR_TABLE.values()]
    assert len(pairs) == len(set(pairs))
    # Client errors, and 503 where a dependency outside the request is away or behind.
    unavailable = {
        "service_unavailable",
        "fulfilment_backlogged",
        "payment_unavailable",
        "live_updates_unavailable",
        "database_unavailable",
    }
    assert all(400 <= status < 500 or code in unavailable for status, code in pairs)


def test_every_429_and_503_says_when_to_retry() -> None:
    outages = {cls for cls, spec in ERROR_TABLE.items() if spec.status == 503}
    limits = {cls for cls, spec in ERROR_TABLE.items() if spec.status == 429}
    assert outages
    assert limits
    assert all(issubclass(cls, Unavailable) for cls in outages), outages
    assert all(issubclass(cls, TooManyAttempts) for cls in limits), limits
