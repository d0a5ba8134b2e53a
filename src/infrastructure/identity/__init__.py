"""Identity adapters: its tables, repositories, unit of work, readers and log subscribers."""
