"""Shipping use cases: methods managed by staff, and what is offered to a destination."""
