"""brokerhub: one self-hosted hub for every brokerage account."""

__version__ = "0.1.0"
