"""Taxes over HTTP, by resource: categories, rates, and currency modes (staff)."""

from api.taxes.routes import categories, currencies, rates

routers = [categories.router, rates.router, currencies.router]
