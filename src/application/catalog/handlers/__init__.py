"""Catalog handlers, one module per aggregate: products, categories."""
