"""Use cases: commands and their handlers, queries and read ports, and the ports adapters fill."""
