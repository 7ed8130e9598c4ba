"""Sync runs and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.store.enums import SyncStatus
from brokerhub.store.models import ConnectionRow, UserRow
from brokerhub.store.repos import audit_log, sync_runs, users


async def test_sync_run_lifecycle(session: AsyncSession, connection: ConnectionRow) -> None:
    cid = connection.id
    assert await sync_runs.latest_for_connection(session, connection_id=cid) is None
    first = await sync_runs.start(session, connection_id=cid)
    assert (first.status, first.finished_at) == (SyncStatus.RUNNING, None)
    done = await sync_runs.finish(
        session, run_id=first.id, positions_count=3, transactions_count=7, new_transactions_count=2
    )
    assert done is not None
    assert (done.status, done.positions_count, done.new_transactions_count) == (
        SyncStatus.SUCCEEDED,
        3,
        2,
    )
    assert done.finished_at is not None
    assert done.finished_at >= done.started_at
    second = await sync_runs.start(session, connection_id=cid)
    failed = await sync_runs.fail(session, run_id=second.id, error="broker unavailable")
    assert failed is not None
    assert (failed.status, failed.error) == (SyncStatus.FAILED, "broker unavailable")
    latest = await sync_runs.latest_for_connection(session, connection_id=cid)
    assert latest == failed
    succeeded = await sync_runs.latest_for_connection(
        session, connection_id=cid, status=SyncStatus.SUCCEEDED
    )
    assert succeeded == done
    runs = await sync_runs.list_for_connection(session, connection_id=cid)
    assert [run.id for run in runs] == [second.id, first.id]
    assert (
        await sync_runs.finish(
            session, run_id=-1, positions_count=0, transactions_count=0, new_transactions_count=0
        )
        is None
    )


async def test_audit_log_survives_user_deletion(session: AsyncSession, user: UserRow) -> None:
    at = datetime(2024, 5, 1, tzinfo=UTC)
    await audit_log.record(
        session,
        action="order.placed",
        user_id=user.id,
        detail={"quantity": Decimal("1.50"), "at": at},
        at=at,
    )
    await audit_log.record(session, action="login", user_id=user.id, at=at + timedelta(hours=1))
    await audit_log.record(session, action="login", user_id=None)
    assert await users.delete_user(session, user_id=user.id)
    session.expunge_all()
    entries = await audit_log.list_entries(session, user_id=user.id)
    assert [e.action for e in entries] == ["login", "order.placed"]
    assert entries[1].detail == {"quantity": "1.50", "at": "2024-05-01T00:00:00Z"}
    assert entries[1].at == at
    assert entries[0].detail == {}
    assert len(await audit_log.list_entries(session, action="login")) == 2
    assert len(await audit_log.list_entries(session, action="login", limit=1, offset=1)) == 1
