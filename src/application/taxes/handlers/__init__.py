"""Handlers of taxes, one module per aggregate."""
