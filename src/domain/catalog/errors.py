"""Rules of the catalog."""

from collections.abc import Sequence
from dataclasses import dataclass

from domain.shared.errors import DomainError


class InvalidProduct(DomainError):
    """A name, description, attribute or image that the catalog does not accept."""


class ProductNotFound(DomainError):
    """No such product, or not one the caller may see (archived ones are hidden publicly)."""


class SkuAlreadyUsed(DomainError):
    """Another product already has this SKU."""


class ProductArchived(DomainError):
    """Archived products are kept for history and past orders; they cannot change."""


class CategoryNotFound(DomainError):
    """No such category."""


class CategoryCycle(DomainError):
    """A category cannot move under itself or one of its descendants."""


class CategoryNameTaken(DomainError):
    """A sibling category already has this name."""


class UnsupportedImage(InvalidProduct):
    """Not a JPEG, PNG or WebP image, whatever its name or declared type says."""


class ImageTooLarge(InvalidProduct):
    """Bigger than the configured limit."""


class VariantNotFound(DomainError):
    """The product has no variant with this id."""


class DuplicateVariant(DomainError):
    """Another variant of the product already has these option values."""


class UnknownOptionValue(DomainError):
    """A variant names an option the product does not have, or a value it does not allow."""


class OptionValueInUse(DomainError):
    """A product's option value cannot go while a variant still uses it."""


class LastVariant(DomainError):
    """A product is sold as at least one variant: its last one cannot be removed."""


class ProductTypeNotFound(DomainError):
    """No such product type."""


class InvalidProductType(DomainError):
    """A product type's name or attribute schema that the catalog does not accept."""


class ProductTypeNameTaken(DomainError):
    """Another product type already has this name."""


class ProductTypeInUse(DomainError):
    """Products have this type: it cannot be deleted while they do."""


class IncompatibleSchemaChange(DomainError):
    """The change would make products of this type invalid (a removed or retyped attribute, a
    new required one, a dropped choice, a narrower bound, another unit)."""


@dataclass(frozen=True)
class AttributeProblem:
    """One attribute that does not fit its product type's schema, and why."""

    field: str
    message: str


class InvalidAttributes(InvalidProduct):
    """A typed product's attributes that its type's schema refuses, one problem per attribute."""

    def __init__(self, problems: Sequence[AttributeProblem]) -> None:
        names = ", ".join(p.field for p in problems)
        super().__init__(f"the attributes do not fit the product type: {names}")
        self.problems = tuple(problems)
