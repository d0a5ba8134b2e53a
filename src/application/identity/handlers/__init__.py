"""Identity handlers, one module per aggregate: accounts, login sessions, API keys."""
