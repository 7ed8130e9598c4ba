"""Orders (preview, place, cancel, replace, reconcile), risk checks and automated trading."""
