"""The catalog: public browsing and search; staff manage products, prices, images, categories,
bulk import and export."""

import csv
import io
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Header, Query, Request, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from api.dependencies import CatalogWriter, OptionalPrincipal, PageCursor, PageLimit, Services
from api.etags import expected_version, with_etag
from api.problems import problem_responses
from api.schemas.catalog import (
    CategoryMove,
    CategoryResponse,
    ImportResponse,
    NewCategory,
    NewProduct,
    PriceInput,
    ProductPage,
    ProductPatch,
    ProductResponse,
    ProductSummaryResponse,
)
from application.catalog.commands import (
    AddProductImage,
    ArchiveProduct,
    ChangePrice,
    ChangeProductDetails,
    CreateCategory,
    CreateProduct,
    ImportProducts,
    MoveCategory,
    PublishProduct,
)
from application.catalog.csv_rows import COLUMNS, to_row
from application.catalog.views import SORTS, ProductSearch
from application.shared.pagination import DEFAULT_LIMIT
from domain.catalog.errors import InvalidProduct, ProductNotFound
from domain.identity.roles import Permission

router = APIRouter(prefix="/api/v1", tags=["catalog"])
IfMatch = Annotated[str | None, Header(description='The ETag from a read, e.g. "3"')]


def _staff(principal: object) -> bool:
    return getattr(principal, "permissions", frozenset()) >= {Permission.CATALOG_WRITE}


@router.get(
    "/products",
    summary="Browse and search active products",
    response_model=ProductPage,
    responses=problem_responses(400, 422),
)
async def search_products(
    services: Services,
    q: Annotated[str | None, Query(max_length=200, description="Full-text search")] = None,
    category_id: Annotated[UUID | None, Query(description="Includes every subcategory")] = None,
    min_price: Annotated[Decimal | None, Query(ge=0, max_digits=10, decimal_places=2)] = None,
    max_price: Annotated[Decimal | None, Query(ge=0, max_digits=10, decimal_places=2)] = None,
    attributes: Annotated[
        str | None, Query(max_length=1000, description='JSON object, e.g. {"color": "blue"}')
    ] = None,
    sort: Annotated[str, Query(pattern="^(" + "|".join(SORTS) + ")$")] = "newest",
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> ProductPage:
    """Filters combine; `relevance` needs `q`. Pages are keyset-based: rows added while paging
    never cause duplicates or gaps."""
    page = await services.catalog.search(
        ProductSearch(
            text=q,
            category_id=category_id,
            min_price=min_price,
            max_price=max_price,
            attributes=_attributes(attributes),
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
    )
    return ProductPage(
        items=[ProductSummaryResponse.of(p) for p in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/products/export.csv",
    summary="Export every product as CSV (staff)",
    response_class=StreamingResponse,
    responses=problem_responses(401, 403),
)
async def export_products(_: CatalogWriter, services: Services) -> StreamingResponse:
    """Streamed from a server-side cursor: memory stays flat however many products there are.
    The file can be imported again."""

    async def lines() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
        writer.writeheader()
        async for product in services.catalog.export_rows():
            writer.writerow(to_row(product))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="products.csv"'},
    )


@router.post(
    "/products/import",
    summary="Create or update products from CSV (staff)",
    response_model=ImportResponse,
    responses=problem_responses(401, 403, 413, 422),
)
async def import_products(request: Request, _: CatalogWriter, services: Services) -> ImportResponse:
    """Columns: sku, name, description, price, currency, category_id, attributes (JSON).
    Upserts by SKU; rejected rows are reported with their line and reason, the others are
    imported together."""
    text = (await request.body()).decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    missing = [
        c for c in ("sku", "name", "price", "currency") if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise InvalidProduct(f"the CSV header lacks {', '.join(missing)}")
    rows = [(reader.line_num, row) for row in reader]
    report = await services.bus.handle(ImportProducts(rows=rows))
    return ImportResponse.of(report)


@router.get(
    "/products/{product_id}",
    summary="A product",
    response_model=ProductResponse,
    responses=problem_responses(401, 404, 422),
)
async def read_product(
    product_id: UUID, principal: OptionalPrincipal, response: Response, services: Services
) -> ProductResponse:
    """Drafts and archived products are visible to staff only; to others they do not exist."""
    product = await services.catalog.details(product_id, include_all=_staff(principal))
    if product is None:
        raise ProductNotFound(f"product {product_id} not found")
    return with_etag(response, product.version, ProductResponse.of(product))


@router.post(
    "/products",
    summary="Create a product (staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=ProductResponse,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_product(
    body: NewProduct, _: CatalogWriter, response: Response, services: Services
) -> ProductResponse:
    """New products are drafts; publish them to show them."""
    product = await services.bus.handle(
        CreateProduct(
            sku=body.sku,
            name=body.name,
            description=body.description,
            amount=body.price.amount,
            currency=body.price.currency,
            category_id=body.category_id,
            attributes=body.attributes,
        )
    )
    response.headers["Location"] = f"/api/v1/products/{product.id}"
    return with_etag(response, product.version, ProductResponse.of(product))


@router.patch(
    "/products/{product_id}",
    summary="Change a product's details (staff)",
    response_model=ProductResponse,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def change_product(
    product_id: UUID,
    body: ProductPatch,
    _: CatalogWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> ProductResponse:
    """Requires If-Match: without it 428, with a stale ETag 412."""
    sent = body.model_fields_set
    product = await services.bus.handle(
        ChangeProductDetails(
            product_id=product_id,
            expected_version=expected_version(if_match),
            name=body.name,
            description=body.description,
            category_id=body.category_id,
            clear_category="category_id" in sent and body.category_id is None,
            attributes=body.attributes,
        )
    )
    return with_etag(response, product.version, ProductResponse.of(product))


@router.put(
    "/products/{product_id}/price",
    summary="Change a product's price (staff)",
    response_model=ProductResponse,
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def change_price(
    product_id: UUID,
    body: PriceInput,
    _: CatalogWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> ProductResponse:
    product = await services.bus.handle(
        ChangePrice(
            product_id=product_id,
            amount=body.amount,
            currency=body.currency,
            expected_version=expected_version(if_match),
        )
    )
    return with_etag(response, product.version, ProductResponse.of(product))


@router.post(
    "/products/{product_id}/publish",
    summary="Publish a product (staff)",
    response_model=ProductResponse,
    responses=problem_responses(401, 403, 404, 409),
)
async def publish(
    product_id: UUID, _: CatalogWriter, response: Response, services: Services
) -> ProductResponse:
    product = await services.bus.handle(PublishProduct(product_id=product_id))
    return with_etag(response, product.version, ProductResponse.of(product))


@router.post(
    "/products/{product_id}/archive",
    summary="Archive a product (staff)",
    response_model=ProductResponse,
    responses=problem_responses(401, 403, 404),
)
async def archive(
    product_id: UUID, _: CatalogWriter, response: Response, services: Services
) -> ProductResponse:
    """A soft delete: gone from the public catalog, kept for staff and past orders."""
    product = await services.bus.handle(ArchiveProduct(product_id=product_id))
    return with_etag(response, product.version, ProductResponse.of(product))


@router.post(
    "/products/{product_id}/images",
    summary="Upload a product image (staff)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 413, 415, 422),
)
async def upload_image(
    product_id: UUID, file: Annotated[UploadFile, File()], _: CatalogWriter, services: Services
) -> dict[str, str]:
    """JPEG, PNG or WebP, recognised by content; the declared type must match."""
    data = await file.read()
    image_id = await services.bus.handle(
        AddProductImage(
            product_id=product_id,
            data=data,
            content_type=file.content_type or "application/octet-stream",
        )
    )
    return {"url": f"/api/v1/products/{product_id}/images/{image_id}"}


@router.get(
    "/products/{product_id}/images/{image_id}",
    summary="A product image",
    response_class=Response,
    responses=problem_responses(401, 404),
)
async def read_image(
    product_id: UUID, image_id: UUID, principal: OptionalPrincipal, services: Services
) -> Response:
    content_type = await services.catalog.image(product_id, image_id, include_all=_staff(principal))
    data = None if content_type is None else await services.images.get(image_id)
    if content_type is None or data is None:
        raise ProductNotFound(f"no image {image_id} on product {product_id}")
    return Response(
        data,
        media_type=content_type,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


@router.get(
    "/categories",
    summary="All categories (a tree by parent_id)",
    response_model=list[CategoryResponse],
)
async def list_categories(services: Services) -> list[CategoryResponse]:
    return [CategoryResponse.of(c) for c in await services.catalog.categories()]


@router.post(
    "/categories",
    summary="Create a category (staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=CategoryResponse,
    responses=problem_responses(401, 403, 404, 422),
)
async def create_category(
    body: NewCategory, _: CatalogWriter, services: Services
) -> CategoryResponse:
    category = await services.bus.handle(CreateCategory(name=body.name, parent_id=body.parent_id))
    return CategoryResponse.of(category)


@router.put(
    "/categories/{category_id}/parent",
    summary="Move a category (staff)",
    response_model=CategoryResponse,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def move_category(
    category_id: UUID, body: CategoryMove, _: CatalogWriter, services: Services
) -> CategoryResponse:
    """Refused (409) under itself or one of its own descendants."""
    moved = await services.bus.handle(
        MoveCategory(category_id=category_id, parent_id=body.parent_id)
    )
    return CategoryResponse.of(moved)


def _attributes(raw: str | None) -> dict[str, str | int | bool]:
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError:
        raise InvalidProduct("attributes must be a JSON object") from None
    if not isinstance(parsed, dict) or not all(
        isinstance(v, str | int | bool) for v in parsed.values()
    ):
        raise InvalidProduct("attributes must be a JSON object of text, numbers or yes/no")
    return parsed
