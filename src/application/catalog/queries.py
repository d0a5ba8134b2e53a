"""The catalog's reads, with their rule: drafts and archived products exist for staff only; to
everyone else they are not found. `staff` says which kind of caller asks."""

from collections.abc import AsyncIterator
from uuid import UUID

from application.catalog.ports import CatalogReader, ImageStore
from application.catalog.views import (
    CategoryView,
    ImageFile,
    ProductDetails,
    ProductSearch,
    ProductSummary,
    Render,
    RenderedProduct,
    to_row,
)
from application.shared.pagination import Page
from domain.catalog.errors import ProductNotFound


class CatalogQueries:
    """What routes read of the catalog."""

    def __init__(self, *, reader: CatalogReader, images: ImageStore) -> None:
        self._reader = reader
        self._images = images

    async def search(self, query: ProductSearch) -> Page[ProductSummary]:
        return await self._reader.search(query)

    async def search_rendered(
        self, query: ProductSearch, *, render: Render[Page[ProductSummary]]
    ) -> bytes:
        """A page as the caller answers it; a cached one costs no view and no rendering."""
        return await self._reader.search_rendered(query, render=render)

    async def product_rendered(
        self, product_id: UUID, *, staff: bool, render: Render[ProductDetails]
    ) -> RenderedProduct:
        product = await self._reader.details_rendered(product_id, include_all=staff, render=render)
        if product is None:
            raise ProductNotFound(f"product {product_id} not found")
        return product

    async def categories(self) -> list[CategoryView]:
        return await self._reader.categories()

    async def image(self, product_id: UUID, image_id: UUID, *, staff: bool) -> ImageFile:
        found = await self._reader.image(product_id, image_id, include_all=staff)
        data = None if found is None else await self._images.get(image_id)
        if found is None or data is None:
            raise ProductNotFound(f"no image {image_id} on product {product_id}")
        content_type, public = found
        return ImageFile(data=data, content_type=content_type, public=public)

    async def export(self) -> AsyncIterator[dict[str, str]]:
        """Every product as a row of the CSV file, streamed."""
        async for product in self._reader.export_rows():
            yield to_row(product)
