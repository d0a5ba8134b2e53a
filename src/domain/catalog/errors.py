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
