"""Inventory handlers: the stock item is the one aggregate."""
