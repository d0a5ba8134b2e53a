"""Taxes over HTTP: staff manage categories, rates and currency modes."""
