"""Ordering use cases: the cart, checkout, order changes, payment callbacks, fulfilment."""
