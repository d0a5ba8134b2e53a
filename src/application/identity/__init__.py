"""Identity use cases: registering, logging in, refreshing, managing accounts and roles."""
