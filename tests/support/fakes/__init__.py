"""In-memory fakes of the ports, each held to its port by a contract test (`tests/contracts`)."""
