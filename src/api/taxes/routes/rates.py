"""Tax rates (staff): create, list, read, change, delete. A region's rate overrides its
country's for the same category."""

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api.dependencies import PageCursor, PageLimit, Services, TaxesWriter
from api.etags import IfMatch, expected_version, with_etag
from api.openapi import raises
from api.schemas import SafeStr
from api.taxes import schemas
from application.shared import errors as shared
from application.shared.pagination import DEFAULT_LIMIT, Page
from application.taxes import commands as c
from application.taxes.views import TaxRateSearch, TaxRateView
from domain.taxes import errors as taxes

router = APIRouter(prefix="/api/v1/tax-rates", tags=["taxes"])
CHANGES = (shared.ConcurrencyConflict, shared.PreconditionFailed, shared.PreconditionRequired)


@router.post(
    "",
    summary="Create a tax rate (staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.TaxRateResponse,
)
@raises(
    taxes.InvalidTaxRate, taxes.InvalidTaxCategory, taxes.UnknownTaxCategory, taxes.TaxRateExists
)
async def create(
    body: schemas.NewTaxRate, _: TaxesWriter, response: Response, services: Services
) -> TaxRateView:
    tax_rate = await services.bus.handle(
        c.CreateTaxRate(**body.model_dump(exclude={"rate"}), rate=Decimal(body.rate))
    )
    response.headers["Location"] = f"/api/v1/tax-rates/{tax_rate.id}"
    return with_etag(response, tax_rate.version, tax_rate)


@router.get("", summary="Tax rates (staff)", response_model=schemas.TaxRatePage)
@raises(shared.InvalidCursor)
async def list_rates(
    _: TaxesWriter,
    services: Services,
    country: Annotated[SafeStr | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    limit: PageLimit = DEFAULT_LIMIT,
    cursor: PageCursor = None,
) -> Page[TaxRateView]:
    search = TaxRateSearch(
        country=None if country is None else country.upper(), limit=limit, cursor=cursor
    )
    return await services.taxes.rates(search)


@router.get("/{tax_rate_id}", summary="A tax rate (staff)", response_model=schemas.TaxRateResponse)
@raises(taxes.TaxRateNotFound)
async def read(
    tax_rate_id: UUID, _: TaxesWriter, response: Response, services: Services
) -> TaxRateView:
    tax_rate = await services.taxes.rate(tax_rate_id)
    return with_etag(response, tax_rate.version, tax_rate)


@router.patch(
    "/{tax_rate_id}", summary="Change a tax rate (staff)", response_model=schemas.TaxRateResponse
)
@raises(taxes.TaxRateNotFound, taxes.InvalidTaxRate, *CHANGES)
async def change(
    tax_rate_id: UUID,
    body: schemas.TaxRatePatch,
    _: TaxesWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> TaxRateView:
    """Requires If-Match: without it 428, with a stale ETag 412. Orders placed before keep
    the rate they were priced at."""
    tax_rate = await services.bus.handle(
        c.ChangeTaxRate(
            tax_rate_id=tax_rate_id,
            expected_version=expected_version(if_match),
            rate=None if body.rate is None else Decimal(body.rate),
            name=body.name,
        )
    )
    return with_etag(response, tax_rate.version, tax_rate)


@router.delete("/{tax_rate_id}", summary="Delete a tax rate (staff)", status_code=204)
@raises(taxes.TaxRateNotFound, *CHANGES)
async def delete(
    tax_rate_id: UUID, _: TaxesWriter, services: Services, if_match: IfMatch = None
) -> Response:
    await services.bus.handle(
        c.DeleteTaxRate(tax_rate_id=tax_rate_id, expected_version=expected_version(if_match))
    )
    return Response(status_code=204)
