"""Identity & access: users, their roles, and the permissions those roles grant."""
