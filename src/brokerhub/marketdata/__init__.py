"""Quotes, bars, option chains and symbol search through a connection's broker."""
