"""Repositories: async functions taking an AsyncSession, one module per resource.

They translate core models to and from ORM rows, flush but never commit (the caller owns the
transaction), and return core models or small frozen records; only users, API keys and
connections are returned as their rows, because callers need those rows' fields directly.
"""
