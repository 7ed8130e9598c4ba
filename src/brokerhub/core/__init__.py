"""The pure domain of brokerhub: models and rules with no I/O and no framework imports."""
