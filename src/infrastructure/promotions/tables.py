"""Promotions, their coupon codes, and one redemption row per code per order. `coupons.uses`
is the counter the conditional update moves (ADR 0033); the checks make an overdrawn or
negative counter impossible whatever code runs against the table."""

import sqlalchemy as sa

from infrastructure.db.metadata import metadata

promotions = sa.Table(
    "promotions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("percent", sa.Numeric(5, 2), nullable=True),
    sa.Column("amount", sa.Numeric(14, 3), nullable=True),
    sa.Column("currency", sa.Text, nullable=True),  # of amount and min_subtotal
    sa.Column("buy_quantity", sa.Integer, nullable=False),
    sa.Column("get_quantity", sa.Integer, nullable=False),
    sa.Column("product_ids", sa.ARRAY(sa.Uuid), nullable=False),
    sa.Column("category_ids", sa.ARRAY(sa.Uuid), nullable=False),
    sa.Column("min_subtotal", sa.Numeric(14, 3), nullable=True),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("exclusive", sa.Boolean, nullable=False),
    sa.Column("automatic", sa.Boolean, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.CheckConstraint("status IN ('active', 'ended')", name="status_known"),
    sa.CheckConstraint(
        "kind IN ('percentage', 'fixed', 'buy_x_get_y', 'free_shipping')", name="kind_known"
    ),
    sa.CheckConstraint("target IN ('products', 'categories', 'order')", name="target_known"),
    # Every cart asks for the automatic promotions live now: only active automatic ones are read.
    sa.Index(
        "ix_promotions_automatic_live",
        "starts_at",
        postgresql_where=sa.text("automatic AND status = 'active'"),
    ),
    sa.Index("ix_promotions_created", "created_at", "id"),
)

coupons = sa.Table(
    "coupons",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("promotion_id", sa.Uuid, sa.ForeignKey("promotions.id"), nullable=False),
    sa.Column("code", sa.Text, nullable=False, unique=True),  # upper case: case-insensitive
    sa.Column("usage_limit", sa.Integer, nullable=True),
    sa.Column("per_customer_limit", sa.Integer, nullable=True),
    sa.Column("uses", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("code = upper(code)", name="code_upper_case"),
    sa.CheckConstraint("uses >= 0", name="uses_not_negative"),
    sa.CheckConstraint("usage_limit IS NULL OR uses <= usage_limit", name="uses_within_limit"),
    sa.Index("ix_coupons_promotion_created", "promotion_id", "created_at", "id"),
)

coupon_redemptions = sa.Table(
    "coupon_redemptions",
    metadata,
    sa.Column("coupon_id", sa.Uuid, sa.ForeignKey("coupons.id"), primary_key=True),
    sa.Column("order_id", sa.Uuid, primary_key=True),  # one use of a code per order
    sa.Column("customer_id", sa.Uuid, nullable=False),
    sa.Column("email", sa.Text, nullable=True),  # lower case; a guest's identity across orders
    sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),  # given back
    sa.Index(
        "ix_coupon_redemptions_customer",
        "coupon_id",
        "customer_id",
        postgresql_where=sa.text("released_at IS NULL"),
    ),
    sa.Index(
        "ix_coupon_redemptions_email",
        "coupon_id",
        "email",
        postgresql_where=sa.text("released_at IS NULL AND email IS NOT NULL"),
    ),
    sa.Index("ix_coupon_redemptions_order", "order_id"),
)
