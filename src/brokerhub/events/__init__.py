"""Events: the bus, the webhook outbox with signed deliveries, and WebSocket streams."""
