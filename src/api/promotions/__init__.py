"""HTTP routes of promotions and their coupon codes (staff)."""
