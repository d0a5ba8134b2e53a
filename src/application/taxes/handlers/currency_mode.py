"""Handlers of currency tax modes: set one (create, or change from the version read), clear
one (back to the default)."""

from application.shared.versions import check_version
from application.taxes import commands as c
from application.taxes.deps import TaxesDeps
from application.taxes.views import CurrencyModeView
from domain.taxes.currency_mode import CurrencyTaxMode
from domain.taxes.errors import CurrencyModeNotFound
from domain.taxes.values import currency_code


async def set_currency_tax_mode(cmd: c.SetCurrencyTaxMode, deps: TaxesDeps) -> CurrencyModeView:
    """A currency without a mode gets one without If-Match; changing one needs it."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        mode = await uow.modes.get(currency_code(cmd.currency))
        if mode is None:
            mode = CurrencyTaxMode.set(
                currency=cmd.currency, prices_include_tax=cmd.prices_include_tax, now=now
            )
            await uow.modes.add(mode)
        else:
            check_version(cmd.expected_version, mode.version, what="currency's tax mode")
            mode.change(prices_include_tax=cmd.prices_include_tax, now=now)
            await uow.modes.save(mode)
        await uow.commit()
    return CurrencyModeView.of(mode)


async def clear_currency_tax_mode(cmd: c.ClearCurrencyTaxMode, deps: TaxesDeps) -> None:
    async with deps.uow() as uow:
        mode = await uow.modes.get(currency_code(cmd.currency))
        if mode is None:
            raise CurrencyModeNotFound(f"no tax mode set for {cmd.currency}")
        check_version(cmd.expected_version, mode.version, what="currency's tax mode")
        mode.clear(now=deps.clock.now())
        await uow.modes.delete(mode)
        await uow.commit()
