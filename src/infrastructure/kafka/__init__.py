"""Kafka adapters (aiokafka): the relay that publishes the event log, and inbound consumers."""
