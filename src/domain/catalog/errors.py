"""Rules of the catalog."""

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
