"""Base class of every rule the shop refuses to break."""


class DomainError(Exception):
    """A business rule was violated; the api layer maps each subclass to a problem+json answer."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
