"""Promotions use cases: staff manage promotions and their coupon codes; uses given back."""
