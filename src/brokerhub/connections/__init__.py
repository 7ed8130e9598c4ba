"""Connect and disconnect brokerage accounts; build each connection's broker adapter."""
