"""Adapters of the file system: product images on local disk."""
