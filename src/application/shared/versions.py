"""The If-Match rule of state-stored resources, in one place: a change names the version it
was read at; none is a 428, another one than the current is a 412."""

from application.shared.errors import PreconditionFailed, PreconditionRequired


def check_version(expected: int | None, actual: int, *, what: str) -> None:
    """Raise unless `expected` (from If-Match) is the version `what` is at now."""
    if expected is None:
        raise PreconditionRequired(f"send If-Match with the {what}'s ETag to change it")
    if expected != actual:
        raise PreconditionFailed(f"the {what} is at version {actual}, not {expected}")
