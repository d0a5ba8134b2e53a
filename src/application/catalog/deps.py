"""What the catalog handlers are given by the composition root."""

from dataclasses import dataclass

from application.catalog.ports import AttributeRules, CatalogUnitOfWorkFactory, ImageStore
from application.shared.clock import Clock


@dataclass(frozen=True, kw_only=True)
class CatalogDeps:
    """Ports and limits shared by the catalog handlers."""

    uow: CatalogUnitOfWorkFactory
    images: ImageStore
    clock: Clock
    max_image_bytes: int
    attribute_rules: AttributeRules
