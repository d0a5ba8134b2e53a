"""Identity adapters: tables, repositories, the user directory, hashing, tokens, throttling."""
