"""Ordering adapters: repositories, projection, readers, fulfilment, live updates, Kafka."""
