"""Ordering handlers: the cart, orders, and the fulfilment process."""
