"""What every use case needs: the command bus, the clock, application errors, pagination."""
