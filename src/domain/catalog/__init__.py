"""Catalog: products people can find, their prices, categories and images."""
