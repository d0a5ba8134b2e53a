"""Promotions handlers: promotions, and their coupon codes."""
