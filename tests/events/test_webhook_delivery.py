"""Signed webhook deliveries: every signature verifies, retries back off, endpoints fail."""

from __future__ import annotations

from datetime import timedelta

from brokerhub.events import factory
from brokerhub.events.models import EventType
from brokerhub.hub import Hub
from brokerhub.store.enums import DeliveryStatus, WebhookStatus
from tests.events.conftest import loopback_settings, until
from tests.events.helpers import buy, paper_account
from tests.events.receiver import running_receiver


async def test_every_event_arrives_signed_in_the_seed_payload(hub: Hub) -> None:
    user_id, account = await paper_account(hub)
    async with running_receiver() as receiver:
        created = await hub.webhooks.create(
            user_id=user_id, account_id=account, webhook_url=receiver.url
        )
        receiver.secret = created.signing_secret
        await buy(hub, user_id, account)
        await hub.sync.sync_account(user_id=user_id, connection_id=account, force=True)
        report = await hub.deliverer.deliver_due()

    assert report.succeeded == len(receiver.requests) >= 4
    assert all(request.verified for request in receiver.requests)
    payloads = [request.payload or {} for request in receiver.requests]
    kinds = {payload["event_type"] for payload in payloads}
    assert kinds >= {
        EventType.ORDER_UPDATE,
        EventType.PORTFOLIO_UPDATE,
        EventType.TRANSACTION,
        EventType.BALANCE_CHANGE,
    }
    for payload in payloads:
        assert set(payload) == {
            "event_id",
            "event_type",
            "account_id",
            "brokerage_name",
            "data",
            "timestamp",
        }
        assert (payload["account_id"], payload["brokerage_name"]) == (account, "paper")
        assert payload["timestamp"].endswith("Z")
    for request in receiver.requests:
        assert request.headers["webhook-id"] == (request.payload or {})["event_id"]
    [portfolio] = [p for p in payloads if p["event_type"] == "portfolio_update"]
    assert [(h["symbol"], h["quantity"]) for h in portfolio["data"]["portfolio"]] == [("AAPL", 2)]


async def test_a_receiver_failing_three_times_gets_the_event_on_the_fourth_try(hub: Hub) -> None:
    user_id, account = await paper_account(hub)
    async with running_receiver(fail_first=3) as receiver:
        created = await hub.webhooks.create(
            user_id=user_id, account_id=account, webhook_url=receiver.url
        )
        receiver.secret = created.signing_secret
        await buy(hub, user_id, account)

        async def delivered() -> bool:
            await hub.deliverer.deliver_due()
            return len(receiver.requests) >= 4

        await until(delivered)

    assert len(receiver.requests) == 4
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1
    assert all(request.verified for request in receiver.requests)
    [record] = await hub.webhooks.deliveries(user_id=user_id, webhook_id=str(created.webhook.id))
    assert record.delivery.status is DeliveryStatus.SUCCEEDED
    assert (record.delivery.attempts, record.delivery.response_status) == (4, 204)
    assert record.event_type == "order_update"


async def test_redirects_fail_until_retries_run_out_then_the_endpoint_is_failing() -> None:
    settings = loopback_settings(webhook_retry_schedule_seconds=[0.01, 0.01])
    async with Hub(settings) as hub, running_receiver(fail_first=99, fail_status=302) as receiver:
        user_id, account = await paper_account(hub)
        created = await hub.webhooks.create(
            user_id=user_id, account_id=account, webhook_url=receiver.url
        )
        await buy(hub, user_id, account)
        webhook_id = str(created.webhook.id)

        async def failed() -> bool:
            await hub.deliverer.deliver_due()
            [record] = await hub.webhooks.deliveries(user_id=user_id, webhook_id=webhook_id)
            return record.delivery.status is DeliveryStatus.FAILED

        await until(failed)
        assert len(receiver.requests) == 3  # the first try and two retries, redirect not followed
        webhook = await hub.webhooks.get(user_id=user_id, webhook_id=webhook_id)
        assert webhook.status is WebhookStatus.FAILING
        assert webhook.failing_since is not None

        receiver.fail_first = 0
        [record] = await hub.webhooks.deliveries(user_id=user_id, webhook_id=webhook_id)
        await hub.webhooks.redeliver(
            user_id=user_id, webhook_id=webhook_id, delivery_id=record.delivery.id
        )
        assert (await hub.deliverer.deliver_due()).succeeded == 1
        webhook = await hub.webhooks.get(user_id=user_id, webhook_id=webhook_id)
        assert webhook.status is WebhookStatus.ACTIVE


async def test_events_committed_before_a_crash_are_delivered_by_the_next_process() -> None:
    settings = loopback_settings()
    async with running_receiver() as receiver:
        async with Hub(settings) as first:
            user_id, account = await paper_account(first)
            created = await first.webhooks.create(
                user_id=user_id, account_id=account, webhook_url=receiver.url
            )
            receiver.secret = created.signing_secret
            order = await buy(first, user_id, account)
        # The first hub is gone without delivering anything; a new one finds the outbox.
        assert receiver.requests == []
        async with Hub(settings) as second:
            assert (await second.deliverer.deliver_due()).succeeded == 1
    [request] = receiver.requests
    assert request.verified
    assert (request.payload or {})["data"]["order_id"] == order.order_id


async def test_an_inactive_webhook_receives_nothing(hub: Hub) -> None:
    user_id, account = await paper_account(hub)
    async with running_receiver() as receiver:
        created = await hub.webhooks.create(
            user_id=user_id, account_id=account, webhook_url=receiver.url, is_active=False
        )
        await buy(hub, user_id, account)
        assert (await hub.deliverer.deliver_due()).attempted == 0
        webhook_id = str(created.webhook.id)
        assert await hub.webhooks.deliveries(user_id=user_id, webhook_id=webhook_id) == []
    assert receiver.requests == []


async def test_connection_health_events_reach_the_webhook(hub: Hub) -> None:
    """What token lifecycle code calls when a session nears its end: stage, commit, publish."""
    user_id, account = await paper_account(hub)
    async with running_receiver() as receiver:
        created = await hub.webhooks.create(
            user_id=user_id, account_id=account, webhook_url=receiver.url
        )
        receiver.secret = created.signing_secret
        row = await hub.connections.get(user_id=user_id, connection_id=account)
        expires = row.created_at + timedelta(days=7)
        events = [factory.connection_expiring(row, expires)]
        async with hub.sessions.begin() as session:
            await hub.events.stage(session, events)
        await hub.events.publish(events)
        await hub.deliverer.deliver_due()
    [request] = receiver.requests
    payload = request.payload or {}
    assert request.verified
    assert payload["event_type"] == "connection_expiring"
    assert payload["data"]["reauthorization_required"] is True
