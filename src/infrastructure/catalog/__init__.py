"""Catalog adapters: product and category tables, search, images, CSV import and export."""
