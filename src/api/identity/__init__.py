"""The HTTP interface of identity: login sessions, accounts and API keys."""
