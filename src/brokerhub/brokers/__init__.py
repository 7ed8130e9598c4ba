"""Broker adapters behind one protocol (see ``brokerhub.brokers.base``)."""
