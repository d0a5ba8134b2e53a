"""The composition root: settings, wiring of adapters into use cases, the CLI and the server."""
