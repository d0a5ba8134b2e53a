"""Taxes: tax categories, their rates at each destination, and whether prices in a currency
are entered with tax included."""
