"""Promotions: what the shop takes off (automatically, or for a coupon code), and codes' uses."""
