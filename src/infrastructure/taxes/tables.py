"""Tax categories, rates and currency modes. A rate is NUMERIC(7, 4), a percent kept exact;
CHECK constraints hold what the domain holds (a percent, a region of the rate's country), and
one composite unique constraint, NULLS NOT DISTINCT, gives a destination one rate per
category whether or not it names a region."""

import sqlalchemy as sa

from infrastructure.db.metadata import metadata

tax_categories = sa.Table(
    "tax_categories",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.CheckConstraint("code ~ '^[a-z][a-z0-9_-]{0,31}$'", name="code_format"),
)

tax_rates = sa.Table(
    "tax_rates",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("country", sa.Text, nullable=False),
    sa.Column("region", sa.Text, nullable=True),
    sa.Column(
        "tax_category", sa.Text, sa.ForeignKey("tax_categories.code"), nullable=False, index=True
    ),
    sa.Column("rate", sa.Numeric(7, 4), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # Without NULLS NOT DISTINCT two country-wide rates (region NULL) would both be accepted.
    sa.UniqueConstraint(
        "country",
        "region",
        "tax_category",
        name="uq_tax_rates_destination",
        postgresql_nulls_not_distinct=True,
    ),
    sa.CheckConstraint("rate >= 0 AND rate <= 100", name="rate_is_a_percent"),
    sa.CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_code"),
    sa.CheckConstraint("region IS NULL OR region LIKE country || '-%'", name="region_in_country"),
)

currency_tax_modes = sa.Table(
    "currency_tax_modes",
    metadata,
    sa.Column("currency", sa.Text, primary_key=True),
    sa.Column("prices_include_tax", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_code"),
)
