"""Catalog use cases: create and change products, categories, images, bulk import; search."""
