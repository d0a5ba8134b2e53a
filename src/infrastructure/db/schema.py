"""Every table definition, imported in one place, so `metadata` describes the whole schema
(Alembic autogenerate and the schema-versus-migrations test use it)."""

import infrastructure.catalog.tables
import infrastructure.eventlog.tables
import infrastructure.gift_cards.tables
import infrastructure.identity.tables
import infrastructure.inventory.tables
import infrastructure.notifications.tables
import infrastructure.ordering.tables
import infrastructure.promotions.tables
import infrastructure.reporting.tables
import infrastructure.shipping.tables
import infrastructure.taxes.tables
from infrastructure.db.metadata import metadata

__all__ = ["infrastructure", "metadata"]
