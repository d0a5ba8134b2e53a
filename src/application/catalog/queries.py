"""The catalog's reads, with their rule: drafts and archived products exist for staff only; to
everyone else they are not found. `staff` says which kind of caller asks."""

from collections.abc import AsyncIterator
from uuid import UUID

from application.catalog.facets import FacetedPage, FacetRequest, InvalidFacets
from application.catalog.ports import CatalogReader, FacetCounter, ImageStore, ProductTypeReader
from application.catalog.views import (
    CategoryView,
    ImageFile,
    ProductDetails,
    ProductSearch,
    ProductSummary,
    ProductTypeView,
    Render,
    RenderedProduct,
    to_row,
)
from application.shared.pagination import Page
from domain.catalog.errors import ProductNotFound, ProductTypeNotFound


class CatalogQueries:
    """What routes read of the catalog."""

    def __init__(
        self,
        *,
        reader: CatalogReader,
        images: ImageStore,
        product_types: ProductTypeReader,
        facets: FacetCounter,
    ) -> None:
        self._reader = reader
        self._images = images
        self._product_types = product_types
        self._facets = facets

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

    async def search_with_facets(self, query: ProductSearch, request: FacetRequest) -> FacetedPage:
        """A page and the facets of the whole result. Not cached: facets are asked for by the
        shop's filter pages, not by every list (ADR 0031)."""
        if "attributes" in request.names and query.product_type_id is None:
            raise InvalidFacets("attribute facets are of one product type: give product_type_id")
        page = await self._reader.search(query)
        return FacetedPage(page=page, facets=await self._facets.facets(query, request))

    async def product_types(self, *, limit: int, cursor: str | None) -> Page[ProductTypeView]:
        return await self._product_types.page(limit=limit, cursor=cursor)

    async def product_type(self, product_type_id: UUID) -> ProductTypeView:
        found = await self._product_types.get(product_type_id)
        if found is None:
            raise ProductTypeNotFound(f"product type {product_type_id} not found")
        return found

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
