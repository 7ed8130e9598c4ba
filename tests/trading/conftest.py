"""A hub on the default store, and the lost-answer broker registered for one test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from brokerhub.brokers.base import AuthMethod, BrokerSpec, get_registry
from brokerhub.brokers.paper import PAPER_BROKER
from brokerhub.hub import Hub
from tests.trading.lost_answer import LostAnswerBroker, lost_answer_factory


@pytest.fixture
def lost_answer_spec() -> Iterator[None]:
    registry = get_registry()
    registry.register(
        BrokerSpec(
            name=LostAnswerBroker.name,
            display_name="paper that loses answers",
            factory=lost_answer_factory,
            capabilities=PAPER_BROKER.capabilities,
            auth_method=AuthMethod.NONE,
            is_live_capable=False,
        )
    )
    LostAnswerBroker.place_calls = 0
    LostAnswerBroker.forget_order = False
    LostAnswerBroker.broker_down = False
    yield
    registry._specs.pop(LostAnswerBroker.name)


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    async with Hub() as started:
        yield started
