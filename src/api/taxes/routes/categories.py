"""Tax categories (staff): create, list, read, rename, delete."""

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from api.dependencies import PageCursor, PageLimit, Services, TaxesWriter
from api.etags import IfMatch, expected_version, with_etag
from api.openapi import raises
from api.schemas import SafeStr
from api.taxes import schemas
from application.shared import errors as shared
from application.shared.pagination import DEFAULT_LIMIT, Page
from application.taxes import commands as c
from application.taxes.views import TaxCategoryView
from domain.taxes import errors as taxes

router = APIRouter(prefix="/api/v1/tax-categories", tags=["taxes"])
CodePath = Annotated[SafeStr, Path(max_length=32)]
CHANGES = (shared.ConcurrencyConflict, shared.PreconditionFailed, shared.PreconditionRequired)


@router.post(
    "",
    summary="Create a tax category (staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.TaxCategoryResponse,
)
@raises(taxes.InvalidTaxCategory, taxes.TaxCategoryExists)
async def create(
    body: schemas.NewTaxCategory, _: TaxesWriter, response: Response, services: Services
) -> TaxCategoryView:
    category = await services.bus.handle(c.CreateTaxCategory(code=body.code, name=body.name))
    response.headers["Location"] = f"/api/v1/tax-categories/{category.code}"
    return with_etag(response, category.version, category)


@router.get("", summary="Tax categories (staff)", response_model=schemas.TaxCategoryPage)
@raises(shared.InvalidCursor)
async def list_categories(
    _: TaxesWriter, services: Services, limit: PageLimit = DEFAULT_LIMIT, cursor: PageCursor = None
) -> Page[TaxCategoryView]:
    return await services.taxes.categories(limit=limit, cursor=cursor)


@router.get("/{code}", summary="A tax category (staff)", response_model=schemas.TaxCategoryResponse)
@raises(taxes.TaxCategoryNotFound, taxes.InvalidTaxCategory)
async def read(
    code: CodePath, _: TaxesWriter, response: Response, services: Services
) -> TaxCategoryView:
    category = await services.taxes.category(code)
    return with_etag(response, category.version, category)


@router.patch(
    "/{code}", summary="Rename a tax category (staff)", response_model=schemas.TaxCategoryResponse
)
@raises(taxes.TaxCategoryNotFound, taxes.InvalidTaxCategory, *CHANGES)
async def rename(
    code: CodePath,
    body: schemas.TaxCategoryPatch,
    _: TaxesWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> TaxCategoryView:
    """Requires If-Match: without it 428, with a stale ETag 412. The code never changes."""
    category = await services.bus.handle(
        c.RenameTaxCategory(code=code, name=body.name, expected_version=expected_version(if_match))
    )
    return with_etag(response, category.version, category)


@router.delete("/{code}", summary="Delete a tax category (staff)", status_code=204)
@raises(taxes.TaxCategoryNotFound, taxes.TaxCategoryInUse, taxes.InvalidTaxCategory, *CHANGES)
async def delete(
    code: CodePath, _: TaxesWriter, services: Services, if_match: IfMatch = None
) -> Response:
    """Refused (409) while rates tax the category."""
    await services.bus.handle(
        c.DeleteTaxCategory(code=code, expected_version=expected_version(if_match))
    )
    return Response(status_code=204)
