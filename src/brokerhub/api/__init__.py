"""The REST API: the Brokerage Integration seed's contract, extended in its style."""
