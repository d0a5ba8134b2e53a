"""promotions, their coupon codes, and one redemption row per code per order

Revision ID: e5a4c3d6f7b8
Revises: d4f3b2c5e6a7
Create Date: 2026-12-01 20:03:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5a4c3d6f7b8"
down_revision: str | None = "d4f3b2c5e6a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "promotions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("buy_quantity", sa.Integer(), nullable=False),
        sa.Column("get_quantity", sa.Integer(), nullable=False),
        sa.Column("product_ids", sa.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("category_ids", sa.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("min_subtotal", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('percentage', 'fixed', 'buy_x_get_y', 'free_shipping')",
            name=op.f("ck_promotions_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'ended')", name=op.f("ck_promotions_status_known")
        ),
        sa.CheckConstraint(
            "target IN ('products', 'categories', 'order')", name=op.f("ck_promotions_target_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotions")),
    )
    op.create_index(
        "ix_promotions_automatic_live",
        "promotions",
        ["starts_at"],
        unique=False,
        postgresql_where=sa.text("automatic AND status = 'active'"),
    )
    op.create_index("ix_promotions_created", "promotions", ["created_at", "id"], unique=False)
    op.create_table(
        "coupons",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("promotion_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("per_customer_limit", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("code = upper(code)", name=op.f("ck_coupons_code_upper_case")),
        sa.CheckConstraint(
            "usage_limit IS NULL OR uses <= usage_limit", name=op.f("ck_coupons_uses_within_limit")
        ),
        sa.CheckConstraint("uses >= 0", name=op.f("ck_coupons_uses_not_negative")),
        sa.ForeignKeyConstraint(
            ["promotion_id"], ["promotions.id"], name=op.f("fk_coupons_promotion_id_promotions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupons")),
        sa.UniqueConstraint("code", name=op.f("uq_coupons_code")),
    )
    op.create_index(
        "ix_coupons_promotion_created",
        "coupons",
        ["promotion_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "coupon_redemptions",
        sa.Column("coupon_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["coupon_id"], ["coupons.id"], name=op.f("fk_coupon_redemptions_coupon_id_coupons")
        ),
        sa.PrimaryKeyConstraint("coupon_id", "order_id", name=op.f("pk_coupon_redemptions")),
    )
    op.create_index(
        "ix_coupon_redemptions_customer",
        "coupon_redemptions",
        ["coupon_id", "customer_id"],
        unique=False,
        postgresql_where=sa.text("released_at IS NULL"),
    )
    op.create_index(
        "ix_coupon_redemptions_email",
        "coupon_redemptions",
        ["coupon_id", "email"],
        unique=False,
        postgresql_where=sa.text("released_at IS NULL AND email IS NOT NULL"),
    )
    op.create_index("ix_coupon_redemptions_order", "coupon_redemptions", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_coupon_redemptions_order", table_name="coupon_redemptions")
    op.drop_index(
        "ix_coupon_redemptions_email",
        table_name="coupon_redemptions",
        postgresql_where=sa.text("released_at IS NULL AND email IS NOT NULL"),
    )
    op.drop_index(
        "ix_coupon_redemptions_customer",
        table_name="coupon_redemptions",
        postgresql_where=sa.text("released_at IS NULL"),
    )
    op.drop_table("coupon_redemptions")
    op.drop_index("ix_coupons_promotion_created", table_name="coupons")
    op.drop_table("coupons")
    op.drop_index("ix_promotions_created", table_name="promotions")
    op.drop_index(
        "ix_promotions_automatic_live",
        table_name="promotions",
        postgresql_where=sa.text("automatic AND status = 'active'"),
    )
    op.drop_table("promotions")
