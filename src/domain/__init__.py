"""The shop's model in plain Python: aggregates, value objects, events and domain errors."""
