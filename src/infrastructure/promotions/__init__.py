"""Promotions in PostgreSQL: promotions, coupon codes, their redemptions, and the log subscriber."""
