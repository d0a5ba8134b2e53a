"""The HTTP interface of inventory: stock levels, receipts, adjustments and the ledger."""
