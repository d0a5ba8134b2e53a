"""Catalog files for staff: CSV import and streamed export, and product images."""

import csv
import io
from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Request, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from api.catalog.routes.products import is_staff
from api.catalog.schemas import ImportResponse
from api.dependencies import CatalogWriter, OptionalPrincipal, Services
from api.openapi import BODY_TOO_LARGE, raises
from application.catalog import commands as c
from application.catalog.views import COLUMNS, REQUIRED, ImportReport
from domain.catalog import errors as catalog

router = APIRouter(prefix="/api/v1", tags=["catalog"])


@router.get(
    "/products/export.csv",
    summary="Export every product as CSV (staff)",
    response_class=StreamingResponse,
)
async def export_products(_: CatalogWriter, services: Services) -> StreamingResponse:
    """Streamed from a server-side cursor: memory stays flat however many products there are.
    The file can be imported again."""

    async def lines() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
        writer.writeheader()
        async for row in services.catalog.export():
            writer.writerow(row)
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
)
@raises(catalog.InvalidProduct, BODY_TOO_LARGE)
async def import_products(request: Request, _: CatalogWriter, services: Services) -> ImportReport:
    """Columns: sku, name, description, price, currency, category_id, attributes (JSON). Upserts
    by SKU; rejected rows are reported with line and reason, the others imported together."""
    text = (await request.body()).decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    try:
        missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
        if missing:
            raise catalog.InvalidProduct(f"the CSV header lacks {', '.join(missing)}")
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:  # a field over csv.field_size_limit(): 131,072 characters
        raise catalog.InvalidProduct(
            f"line {reader.line_num} of the CSV cannot be read: {exc}"
        ) from None
    return await services.bus.handle(c.ImportProducts(rows=rows))


@router.post(
    "/products/{product_id}/images",
    summary="Upload a product image (staff)",
    status_code=status.HTTP_201_CREATED,
)
@raises(
    catalog.ProductNotFound,
    catalog.ProductArchived,
    catalog.UnsupportedImage,
    catalog.ImageTooLarge,
)
async def upload_image(
    product_id: UUID, file: Annotated[UploadFile, File()], _: CatalogWriter, services: Services
) -> dict[str, str]:
    """JPEG, PNG or WebP, recognised by content; the declared type must match."""
    image_id = await services.bus.handle(
        c.AddProductImage(
            product_id=product_id,
            data=await file.read(),
            content_type=file.content_type or "application/octet-stream",
        )
    )
    return {"url": f"/api/v1/products/{product_id}/images/{image_id}"}


@router.get(
    "/products/{product_id}/images/{image_id}",
    summary="A product image",
    response_class=Response,
)
@raises(catalog.ProductNotFound)
async def read_image(
    product_id: UUID, image_id: UUID, principal: OptionalPrincipal, services: Services
) -> Response:
    image = await services.catalog.image(product_id, image_id, staff=is_staff(principal))
    # Only a public product's image may sit in shared caches; a draft's stays with staff.
    caching = "public, max-age=86400" if image.public else "private, no-store"
    return Response(
        image.data,
        media_type=image.content_type,
        headers={"Cache-Control": caching, "X-Content-Type-Options": "nosniff"},
    )
