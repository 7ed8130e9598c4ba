"""A worker process keeps one Hub for all its tasks; a forked child and a restart build anew."""

from __future__ import annotations

import multiprocessing
from multiprocessing.queues import Queue

from redis.asyncio import Redis

from brokerhub.hub import Hub
from brokerhub.jobs import tasks
from brokerhub.jobs.celery_app import WorkerHub
from tests.jobs.conftest import Services


async def _hub(hub: Hub, redis: Redis) -> Hub:
    return hub


async def _ping(hub: Hub, redis: Redis) -> bool:
    await hub.ping_database()
    return bool(await redis.ping())


def test_tasks_share_the_process_hub_until_it_closes(services: Services) -> None:
    worker_hub = WorkerHub(services.settings())
    try:
        first = worker_hub.run(_hub)
        assert worker_hub.run(_hub) is first
        assert worker_hub.run(_ping)
        assert worker_hub.run(lambda hub, redis: tasks.active_connection_ids(hub)) == []
        worker_hub.close()
        assert worker_hub.run(_hub) is not first  # a closed hub is never handed out again
    finally:
        worker_hub.close()


def _child(worker_hub: WorkerHub, answers: Queue[tuple[bool, bool]]) -> None:
    try:
        answers.put((worker_hub.run(_ping), worker_hub.run(_hub) is worker_hub.run(_hub)))
    finally:
        worker_hub.close()


def test_a_forked_pool_child_builds_its_own_hub_and_the_parent_keeps_its(
    services: Services,
) -> None:
    worker_hub = WorkerHub(services.settings())
    try:
        parents = worker_hub.run(_hub)  # built before the fork: its loop thread is not copied
        context = multiprocessing.get_context("fork")
        answers: Queue[tuple[bool, bool]] = context.Queue()
        child = context.Process(target=_child, args=(worker_hub, answers))
        child.start()
        assert answers.get(timeout=60) == (True, True)
        child.join(timeout=30)
        assert child.exitcode == 0
        assert worker_hub.run(_hub) is parents
        assert worker_hub.run(_ping)
    finally:
        worker_hub.close()
