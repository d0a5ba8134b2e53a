"""Tax use cases: categories, rates and currency modes managed by staff."""
