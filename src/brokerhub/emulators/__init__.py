"""Wire-compatible local servers of brokers' APIs, built on :mod:`brokerhub.sim`.

Each emulator is an ASGI app speaking one broker's documented wire format (paths, field
names, enums, error payloads, authentication) over a :class:`~brokerhub.sim.exchange.SimExchange`,
so orders fill, cash moves and positions change. Tests, demos and benchmarks run adapters and
the brokers' own SDKs against them; no test talks to a real broker. :mod:`.serve` runs one on
a loopback port.
"""
