"""Product types for staff: a kind of product and its typed attribute schema. Changes need
If-Match; while products use a type only changes they all survive are accepted."""

from uuid import UUID

from fastapi import APIRouter, Response, status

from api.catalog.schemas import ProductTypeInput, ProductTypePage, ProductTypeResponse
from api.dependencies import CatalogWriter, PageCursor, PageLimit, Services
from api.etags import IfMatch, expected_version, with_etag
from api.openapi import raises
from application.catalog import commands as c
from application.catalog.views import ProductTypeView
from application.shared import errors as shared
from application.shared.pagination import DEFAULT_LIMIT, Page
from domain.catalog import errors as catalog

router = APIRouter(prefix="/api/v1/product-types", tags=["catalog"])


@router.get("", summary="Product types by name (staff)", response_model=ProductTypePage)
@raises(shared.InvalidCursor)
async def list_product_types(
    _: CatalogWriter,
    services: Services,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> Page[ProductTypeView]:
    return await services.catalog.product_types(limit=limit, cursor=cursor)


@router.post(
    "",
    summary="Create a product type (staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=ProductTypeResponse,
)
@raises(catalog.InvalidProductType, catalog.ProductTypeNameTaken)
async def create_product_type(
    body: ProductTypeInput, _: CatalogWriter, response: Response, services: Services
) -> ProductTypeView:
    created = await services.bus.handle(
        c.CreateProductType(name=body.name, attributes=body.definitions())
    )
    response.headers["Location"] = f"/api/v1/product-types/{created.id}"
    return with_etag(response, created.version, created)


@router.get(
    "/{product_type_id}", summary="A product type (staff)", response_model=ProductTypeResponse
)
@raises(catalog.ProductTypeNotFound)
async def read_product_type(
    product_type_id: UUID, _: CatalogWriter, response: Response, services: Services
) -> ProductTypeView:
    found = await services.catalog.product_type(product_type_id)
    return with_etag(response, found.version, found)


@router.put(
    "/{product_type_id}",
    summary="Change a product type's name and schema (staff)",
    response_model=ProductTypeResponse,
)
@raises(
    catalog.InvalidProductType,
    catalog.ProductTypeNotFound,
    catalog.ProductTypeNameTaken,
    catalog.IncompatibleSchemaChange,
    shared.ConcurrencyConflict,
    shared.PreconditionFailed,
    shared.PreconditionRequired,
)
async def change_product_type(
    product_type_id: UUID,
    body: ProductTypeInput,
    _: CatalogWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> ProductTypeView:
    """Requires If-Match (428 without, 412 when stale). While products use the type, removing
    or retyping an attribute, adding a required one, dropping a choice, narrowing a bound or
    changing a unit is refused (409 `incompatible_schema_change`)."""
    changed = await services.bus.handle(
        c.ChangeProductType(
            product_type_id=product_type_id,
            expected_version=expected_version(if_match),
            name=body.name,
            attributes=body.definitions(),
        )
    )
    return with_etag(response, changed.version, changed)


@router.delete(
    "/{product_type_id}",
    summary="Delete a product type no product has (staff)",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
@raises(
    catalog.ProductTypeNotFound,
    catalog.ProductTypeInUse,
    shared.ConcurrencyConflict,
    shared.PreconditionFailed,
)
async def delete_product_type(
    product_type_id: UUID, _: CatalogWriter, services: Services, if_match: IfMatch = None
) -> Response:
    """409 `product_type_in_use` while any product, archived ones included, has it."""
    await services.bus.handle(
        c.DeleteProductType(
            product_type_id=product_type_id, expected_version=expected_version(if_match)
        )
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
