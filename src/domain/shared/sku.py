"""The SKU: the code catalog and inventory both identify a product by (shared kernel)."""

import re
from dataclasses import dataclass

from domain.shared.errors import DomainError

_SKU = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")


class InvalidSku(DomainError):
    """Not a SKU: 3-32 characters, letters, digits and dashes, starting with a letter or digit."""


@dataclass(frozen=True, order=True)
class Sku:
    """A stock-keeping unit code, upper-cased."""

    value: str

    @classmethod
    def parse(cls, raw: str) -> "Sku":
        normalised = raw.strip().upper()
        if not _SKU.match(normalised):
            raise InvalidSku(f"{raw!r} is not a SKU (3-32 letters, digits or dashes)")
        return cls(normalised)

    def __str__(self) -> str:
        return self.value
