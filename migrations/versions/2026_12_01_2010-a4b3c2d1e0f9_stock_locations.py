"""stock locations: stock per SKU per location, reservations at a location, backorders, and
the events inventory applied once; every existing unit and reservation moves to `main`

Revision ID: a4b3c2d1e0f9
Revises: f3a2b1c0d9e8
Create Date: 2026-12-01 23:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4b3c2d1e0f9"
down_revision: str | None = "f3a2b1c0d9e8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stock_locations",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_stock_locations")),
    )
    op.execute(
        "INSERT INTO stock_locations (code, name, created_at) VALUES ('main', 'Main', now())"
    )
    op.create_table(
        "stock_levels",
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("backordered", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reserved >= 0 AND reserved <= on_hand AND backordered >= 0",
            name=op.f("ck_stock_levels_location_available_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["location"],
            ["stock_locations.code"],
            name=op.f("fk_stock_levels_location_stock_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["sku"], ["stock_items.sku"], name=op.f("fk_stock_levels_sku_stock_items")
        ),
        sa.PrimaryKeyConstraint("sku", "location", name=op.f("pk_stock_levels")),
    )
    op.execute(
        "INSERT INTO stock_levels (sku, location, on_hand, reserved, updated_at)"
        " SELECT sku, 'main', on_hand, reserved, updated_at FROM stock_items"
    )
    op.create_table(
        "stock_applied_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_stock_applied_events")),
    )
    for column in ("backordered", "backorder_limit"):
        op.add_column(
            "stock_items",
            sa.Column(column, sa.Integer(), server_default=sa.text("0"), nullable=False),
        )
    op.add_column(
        "stock_items",
        sa.Column("backorder_policy", sa.Text(), server_default=sa.text("'none'"), nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_stock_items_backordered_not_negative"), "stock_items", "backordered >= 0"
    )
    op.create_check_constraint(
        op.f("ck_stock_items_backorder_policy_known"),
        "stock_items",
        "backorder_policy IN ('none', 'backorder', 'preorder')",
    )
    op.add_column(
        "stock_reservations",
        sa.Column("location", sa.Text(), server_default=sa.text("'main'"), nullable=False),
    )
    for column in ("committed", "backordered"):
        op.add_column(
            "stock_reservations",
            sa.Column(column, sa.Integer(), server_default=sa.text("0"), nullable=False),
        )
    op.create_foreign_key(
        op.f("fk_stock_reservations_location_stock_locations"),
        "stock_reservations",
        "stock_locations",
        ["location"],
        ["code"],
    )
    op.create_check_constraint(
        op.f("ck_stock_reservations_parts_within_quantity"),
        "stock_reservations",
        "committed >= 0 AND backordered >= 0 AND committed + backordered <= quantity",
    )
    # Rows from before this revision have no location: they all happened at `main`.
    op.add_column("stock_ledger", sa.Column("location", sa.Text(), nullable=True))
    op.add_column(
        "stock_ledger",
        sa.Column("backordered_delta", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("stock_ledger", "backordered_delta")
    op.drop_column("stock_ledger", "location")
    op.drop_constraint(
        op.f("ck_stock_reservations_parts_within_quantity"), "stock_reservations", type_="check"
    )
    op.drop_constraint(
        op.f("fk_stock_reservations_location_stock_locations"),
        "stock_reservations",
        type_="foreignkey",
    )
    for column in ("backordered", "committed", "location"):
        op.drop_column("stock_reservations", column)
    op.drop_constraint(op.f("ck_stock_items_backorder_policy_known"), "stock_items", type_="check")
    op.drop_constraint(
        op.f("ck_stock_items_backordered_not_negative"), "stock_items", type_="check"
    )
    for column in ("backorder_policy", "backorder_limit", "backordered"):
        op.drop_column("stock_items", column)
    op.drop_table("stock_applied_events")
    op.drop_table("stock_levels")
    op.drop_table("stock_locations")
