"""Reporting handlers: the sales views' refresh."""
