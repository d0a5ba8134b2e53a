"""Shipping: the methods the shop ships with, where to, and what each costs."""
