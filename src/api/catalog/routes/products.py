"""Products: public browsing and search; staff create, change, price, publish and archive.
Drafts and archived products exist for staff only; to others they are not found."""

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api.catalog.schemas import (
    NewProduct,
    PriceInput,
    ProductPage,
    ProductPatch,
    ProductResponse,
    page_json,
    product_json,
)
from api.dependencies import CatalogWriter, OptionalPrincipal, PageCursor, PageLimit, Services
from api.etags import IfMatch, etag, expected_version, with_etag
from api.openapi import raises
from api.schemas import SafeStr
from application.catalog import commands as c
from application.catalog.views import SORTS, ProductDetails, ProductSearch
from application.identity.views import Principal
from application.shared import bounded_json
from application.shared import errors as shared
from application.shared.pagination import DEFAULT_LIMIT
from domain.catalog import errors as catalog
from domain.identity.values import Permission
from domain.shared.money import InvalidMoney
from domain.shared.sku import InvalidSku
from domain.shared.text import text_fault

router = APIRouter(prefix="/api/v1", tags=["catalog"])


def is_staff(principal: Principal | None) -> bool:
    """Whether the caller may see drafts and archived products."""
    return principal is not None and Permission.CATALOG_WRITE in principal.permissions


@router.get(
    "/products",
    summary="Browse and search active products",
    response_model=ProductPage,
)
@raises(catalog.InvalidProduct, catalog.CategoryNotFound, shared.InvalidCursor)
async def search_products(
    services: Services,
    q: Annotated[SafeStr | None, Query(max_length=200, description="Full-text search")] = None,
    category_id: Annotated[UUID | None, Query(description="Includes every subcategory")] = None,
    min_price: Annotated[Decimal | None, Query(ge=0, max_digits=10, decimal_places=2)] = None,
    max_price: Annotated[Decimal | None, Query(ge=0, max_digits=10, decimal_places=2)] = None,
    attributes: Annotated[
        SafeStr | None,
        Query(max_length=1000, description='JSON object, e.g. {"color": "blue"}'),
    ] = None,
    sort: Annotated[SafeStr, Query(pattern="^(" + "|".join(SORTS) + ")$")] = "newest",
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> Response:
    """Filters combine; `relevance` needs `q`. Pages are keyset-based: rows added while paging
    never cause duplicates or gaps."""
    query = ProductSearch(
        text=q,
        category_id=category_id,
        min_price=min_price,
        max_price=max_price,
        attributes=_attributes(attributes),
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    # Answered as rendered bytes (the response model's own JSON), which a cache hit does not
    # build again.
    return json_response(await services.catalog.search_rendered(query, render=page_json))


@router.get(
    "/products/{product_id}",
    summary="A product",
    response_model=ProductResponse,
)
@raises(catalog.ProductNotFound)
async def read_product(
    product_id: UUID, principal: OptionalPrincipal, services: Services
) -> Response:
    """Drafts and archived products are visible to staff only; to others they do not exist."""
    product = await services.catalog.product_rendered(
        product_id, staff=is_staff(principal), render=product_json
    )
    return json_response(product.body, headers={"ETag": etag(product.version)})


@router.post(
    "/products",
    summary="Create a product (staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=ProductResponse,
)
@raises(
    catalog.InvalidProduct,
    catalog.CategoryNotFound,
    catalog.SkuAlreadyUsed,
    InvalidSku,
    InvalidMoney,
)
async def create_product(
    body: NewProduct, _: CatalogWriter, response: Response, services: Services
) -> ProductDetails:
    """New products are drafts; publish them to show them."""
    product = await services.bus.handle(
        c.CreateProduct(
            **body.model_dump(exclude={"price", "options"}),
            **body.price.model_dump(),
            options=[(o.name, o.values) for o in body.options],
        )
    )
    response.headers["Location"] = f"/api/v1/products/{product.id}"
    return with_etag(response, product.version, product)


@router.patch(
    "/products/{product_id}",
    summary="Change a product's details (staff)",
    response_model=ProductResponse,
)
@raises(
    catalog.InvalidProduct,
    catalog.ProductNotFound,
    catalog.CategoryNotFound,
    catalog.SkuAlreadyUsed,
    catalog.ProductArchived,
    shared.ConcurrencyConflict,
    shared.PreconditionFailed,
    shared.PreconditionRequired,
)
async def change_product(
    product_id: UUID,
    body: ProductPatch,
    _: CatalogWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> ProductDetails:
    """Requires If-Match: without it 428, with a stale ETag 412."""
    product = await services.bus.handle(
        c.ChangeProductDetails(
            product_id=product_id,
            expected_version=expected_version(if_match),
            clear_category="category_id" in body.model_fields_set and body.category_id is None,
            **body.model_dump(),
        )
    )
    return with_etag(response, product.version, product)


@router.put(
    "/products/{product_id}/price",
    summary="Change a product's price (staff)",
    response_model=ProductResponse,
)
@raises(
    catalog.ProductNotFound,
    catalog.ProductArchived,
    InvalidMoney,
    shared.ConcurrencyConflict,
    shared.PreconditionFailed,
    shared.PreconditionRequired,
)
async def change_price(
    product_id: UUID,
    body: PriceInput,
    _: CatalogWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> ProductDetails:
    product = await services.bus.handle(
        c.ChangePrice(
            product_id=product_id, expected_version=expected_version(if_match), **body.model_dump()
        )
    )
    return with_etag(response, product.version, product)


@router.post(
    "/products/{product_id}/publish",
    summary="Publish a product (staff)",
    response_model=ProductResponse,
)
@raises(catalog.ProductNotFound, catalog.ProductArchived, shared.ConcurrencyConflict)
async def publish(
    product_id: UUID, _: CatalogWriter, response: Response, services: Services
) -> ProductDetails:
    product = await services.bus.handle(c.PublishProduct(product_id=product_id))
    return with_etag(response, product.version, product)


@router.post(
    "/products/{product_id}/archive",
    summary="Archive a product (staff)",
    response_model=ProductResponse,
)
@raises(catalog.ProductNotFound, shared.ConcurrencyConflict)
async def archive(
    product_id: UUID, _: CatalogWriter, response: Response, services: Services
) -> ProductDetails:
    """A soft delete: gone from the public catalog, kept for staff and past orders."""
    product = await services.bus.handle(c.ArchiveProduct(product_id=product_id))
    return with_etag(response, product.version, product)


def json_response(body: bytes, *, headers: dict[str, str] | None = None) -> Response:
    """JSON the route rendered itself (its `response_model` still documents it)."""
    return Response(body, media_type="application/json", headers=headers)


def _attributes(raw: str | None) -> dict[str, str | int | bool]:
    if not raw:
        return {}
    try:
        parsed = bounded_json.loads(raw)
    except ValueError:
        raise catalog.InvalidProduct("attributes must be a JSON object") from None
    if not isinstance(parsed, dict) or not all(
        isinstance(v, str | int | bool) for v in parsed.values()
    ):
        raise catalog.InvalidProduct("attributes must be a JSON object of text, numbers or yes/no")
    texts = [*parsed, *(v for v in parsed.values() if isinstance(v, str))]
    fault = next(filter(None, map(text_fault, texts)), None)
    if fault is not None:
        raise catalog.InvalidProduct(f"attributes: a name or value {fault}")
    return parsed
