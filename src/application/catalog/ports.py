"""What catalog use cases need from the outside world."""

from collections.abc import AsyncIterator, Iterable
from typing import Protocol
from uuid import UUID

from application.catalog.views import (
    CategoryView,
    ProductDetails,
    ProductSearch,
    ProductSummary,
    Render,
    RenderedProduct,
)
from application.shared.pagination import Page
from application.shared.unit_of_work import UnitOfWork
from domain.catalog.category import Category
from domain.catalog.product import Product
from domain.shared.sku import Sku


class ProductRepository(Protocol):
    """Products, with optimistic concurrency on their `version`."""

    async def get(self, product_id: UUID) -> Product | None: ...

    async def get_many_by_sku(self, skus: Iterable[Sku]) -> dict[str, Product]:
        """The products that have a variant with one of these SKUs, by each SKU found."""

    async def add(self, product: Product) -> None:
        """Raise SkuAlreadyUsed if the SKU is taken."""

    async def save(self, product: Product) -> None:
        """Update from the loaded version; raise ConcurrencyConflict if it moved."""

    async def add_many(self, new: list[Product]) -> None:
        """Insert a batch of new products in one statement (bulk import)."""

    async def add_image(
        self, product_id: UUID, image_id: UUID, *, content_type: str, size: int
    ) -> None: ...


class CategoryRepository(Protocol):
    """The category tree, one category at a time."""

    async def get(self, category_id: UUID) -> Category | None: ...

    async def ancestors(self, category_id: UUID) -> set[UUID]:
        """Every category above this one, to its root."""

    async def lock_tree(self) -> None:
        """Serialise tree changes until the transaction ends."""

    async def add(self, category: Category) -> None:
        """Raise CategoryNameTaken if a sibling has the same name."""

    async def save(self, category: Category) -> None:
        """Store its new parent; raise CategoryNameTaken if a new sibling has its name."""


class CatalogUnitOfWork(UnitOfWork, Protocol):
    """One transaction over products and categories, with their events."""

    @property
    def products(self) -> ProductRepository: ...

    @property
    def categories(self) -> CategoryRepository: ...


class CatalogUnitOfWorkFactory(Protocol):
    """Opens a fresh unit of work for each command."""

    def __call__(self) -> CatalogUnitOfWork: ...


class ImageStore(Protocol):
    """Where image bytes live (local disk, object storage...)."""

    async def put(self, image_id: UUID, data: bytes) -> None: ...

    async def get(self, image_id: UUID) -> bytes | None: ...


class CatalogReader(Protocol):
    """The catalog's read side: SQL, possibly behind a cache."""

    async def search(self, query: ProductSearch) -> Page[ProductSummary]: ...

    async def details(self, product_id: UUID, *, include_all: bool) -> ProductDetails | None: ...

    async def search_rendered(
        self, query: ProductSearch, *, render: Render[Page[ProductSummary]]
    ) -> bytes:
        """The page as `render` makes it: from the cache when there is one and the read is
        public."""

    async def details_rendered(
        self, product_id: UUID, *, include_all: bool, render: Render[ProductDetails]
    ) -> RenderedProduct | None:
        """The product as `render` makes it, with its version; cached like `search_rendered`."""

    async def categories(self) -> list[CategoryView]: ...

    async def image(
        self, product_id: UUID, image_id: UUID, *, include_all: bool
    ) -> tuple[str, bool] | None:
        """The image's content type and whether its product is public, if this caller may see it."""

    def export_rows(self) -> AsyncIterator[ProductDetails]:
        """Every product, streamed from a server-side cursor."""
