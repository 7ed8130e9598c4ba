"""The simulator's knobs, with defaults taken from :class:`brokerhub.config.Settings`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from brokerhub.config import Settings


@dataclass(frozen=True)
class SimConfig:
    """How the simulated market behaves.

    Attributes:
        seed: the seed of every price path; the same seed gives the same paths.
        commission_per_share: USD charged per share traded (rounded to the cent per fill).
        commission_per_contract: USD charged per option contract traded.
        slippage_bps: basis points a market or triggered order pays beyond the touch
            (buys above the ask, sells below the bid), capped by a limit price.
        liquidity_per_step: the most units one order fills in one path step; a bigger
            single-leg order fills partially over several steps.
        step: the length of one path step; prices change and orders match once per step.
        spread_bps: the quoted spread in basis points of the mid (at least one cent a side).
        follow_market_calendar: trade only in NYSE sessions instead of always.
        risk_free_rate: the annual continuously compounded rate used by Black-Scholes.
        max_catchup_steps: when the clock jumped further than this many steps, working orders
            are checked at this many evenly spaced instants instead of at every step.
    """

    seed: int = 42
    commission_per_share: Decimal = Decimal(0)
    commission_per_contract: Decimal = Decimal("0.65")
    slippage_bps: Decimal = Decimal(0)
    liquidity_per_step: Decimal = Decimal(1000)
    step: timedelta = timedelta(seconds=1)
    spread_bps: Decimal = Decimal(2)
    follow_market_calendar: bool = False
    risk_free_rate: Decimal = Decimal("0.045")
    max_catchup_steps: int = 20_000

    @classmethod
    def from_settings(cls, settings: Settings) -> SimConfig:
        """Return the configuration named by the hub's settings."""
        return cls(
            seed=settings.sim_seed,
            commission_per_share=settings.sim_commission_per_share,
            commission_per_contract=settings.sim_commission_per_contract,
            slippage_bps=settings.sim_slippage_bps,
            follow_market_calendar=settings.sim_follow_market_calendar,
        )
