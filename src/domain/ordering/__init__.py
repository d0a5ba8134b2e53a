"""Ordering: the cart, and the event-sourced order with its events, values and rules."""
