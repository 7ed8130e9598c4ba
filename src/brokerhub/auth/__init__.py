"""Authentication: the encrypted vault, users and API keys, broker OAuth flows."""
