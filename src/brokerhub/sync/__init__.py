"""Pull a connection's balance, positions and transactions into the store."""
