"""The paper broker: simulated accounts on :mod:`brokerhub.sim`, no credentials needed.

See :mod:`brokerhub.brokers.paper.factory` for the credential mapping and where state is kept,
and :mod:`brokerhub.brokers.paper.adapter` for the profile/account model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from brokerhub.brokers.base import AuthMethod, Broker, BrokerSpec
from brokerhub.brokers.paper.adapter import PAPER_CAPABILITIES, PaperBroker
from brokerhub.brokers.paper.factory import create_paper_broker


def _factory(credentials: Mapping[str, Any]) -> Broker:
    return create_paper_broker(credentials)


PAPER_BROKER = BrokerSpec(
    name="paper",
    display_name="Paper trading (simulated)",
    factory=_factory,
    capabilities=PAPER_CAPABILITIES,
    auth_method=AuthMethod.NONE,
    required_fields=(),
    optional_fields=("account_id", "profile_id", "starting_cash"),
    api_documentation="Embedded simulator: deterministic prices, Black-Scholes options.",
    is_live_capable=False,
)

__all__ = ["PAPER_BROKER", "PaperBroker", "create_paper_broker"]
