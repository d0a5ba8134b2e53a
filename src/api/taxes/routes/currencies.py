"""Currency tax modes (staff): whether prices in a currency are entered with tax included.
A currency without one adds tax on top."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.dependencies import Services, TaxesWriter
from api.etags import IfMatch, expected_version, with_etag
from api.openapi import raises
from api.schemas import SafeStr
from api.taxes import schemas
from application.shared import errors as shared
from application.taxes import commands as c
from application.taxes.views import CurrencyModeView
from domain.taxes import errors as taxes

router = APIRouter(prefix="/api/v1/tax-currencies", tags=["taxes"])
CurrencyPath = Annotated[SafeStr, Path(pattern=r"^[A-Za-z]{3}$")]
CHANGES = (shared.ConcurrencyConflict, shared.PreconditionFailed, shared.PreconditionRequired)


@router.get("", summary="Currency tax modes (staff)", response_model=schemas.CurrencyModeList)
async def list_modes(_: TaxesWriter, services: Services) -> schemas.CurrencyModeList:
    return schemas.CurrencyModeList.model_validate({"items": await services.taxes.modes()})


@router.get(
    "/{currency}",
    summary="A currency's tax mode (staff)",
    response_model=schemas.CurrencyModeResponse,
)
@raises(taxes.CurrencyModeNotFound, taxes.InvalidCurrencyMode)
async def read(
    currency: CurrencyPath, _: TaxesWriter, response: Response, services: Services
) -> CurrencyModeView:
    mode = await services.taxes.mode(currency)
    return with_etag(response, mode.version, mode)


@router.put(
    "/{currency}",
    summary="Set a currency's tax mode (staff)",
    response_model=schemas.CurrencyModeResponse,
)
@raises(taxes.InvalidCurrencyMode, *CHANGES)
async def set_mode(
    currency: CurrencyPath,
    body: schemas.CurrencyModeInput,
    _: TaxesWriter,
    response: Response,
    services: Services,
    if_match: IfMatch = None,
) -> CurrencyModeView:
    """The first time without If-Match; changing it requires If-Match (428 without, 412 stale)."""
    mode = await services.bus.handle(
        c.SetCurrencyTaxMode(
            currency=currency,
            prices_include_tax=body.prices_include_tax,
            expected_version=expected_version(if_match),
        )
    )
    return with_etag(response, mode.version, mode)


@router.delete("/{currency}", summary="Back to the default mode (staff)", status_code=204)
@raises(taxes.CurrencyModeNotFound, taxes.InvalidCurrencyMode, *CHANGES)
async def clear(
    currency: CurrencyPath, _: TaxesWriter, services: Services, if_match: IfMatch = None
) -> Response:
    await services.bus.handle(
        c.ClearCurrencyTaxMode(currency=currency, expected_version=expected_version(if_match))
    )
    return Response(status_code=204)
