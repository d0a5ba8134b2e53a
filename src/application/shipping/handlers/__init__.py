"""Handlers of shipping methods."""
