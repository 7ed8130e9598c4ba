"""``brokerhub``: serve the hub, manage users and keys, and use accounts from a terminal.

Account commands run in-process on the configured database as ``--user`` (default: the demo
user), or against a running server with ``--url`` and ``--key`` given before the command.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from brokerhub.cli.accounts import register_account_commands
from brokerhub.cli.runner import Target, console
from brokerhub.cli.sandbox import sandbox_app
from brokerhub.cli.secrets import secrets_app
from brokerhub.cli.users import keys_app, users_app
from brokerhub.config import get_settings
from brokerhub.demo import DEMO_USER, DemoAccess
from brokerhub.logging import configure_logging

app = typer.Typer(help="brokerhub: every brokerage account in one place.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(secrets_app, name="secrets")


@app.callback()
def main(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Option(envvar="BROKERHUB_URL", help="Use a running server, e.g. http://host:8000"),
    ] = None,
    key: Annotated[
        str | None, typer.Option(envvar="BROKERHUB_API_KEY", help="API key for --url")
    ] = None,
) -> None:
    """Every brokerage account in one place."""
    configure_logging(logging.WARNING)  # every log line of every command is redacted
    ctx.obj = Target(user=DEMO_USER, url=url, key=key)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
) -> None:
    """Start the hub: REST API, demo user and paper account on first start."""
    import uvicorn

    from brokerhub.api.app import create_app

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port

    def announce(demo: DemoAccess) -> None:
        console.print(f"[bold]brokerhub[/bold] is running at http://{host}:{port}")
        console.print(f"API docs: http://{host}:{port}/docs")
        console.print(f"Demo API key (user {DEMO_USER!r}): [bold]{demo.api_key}[/bold]")
        console.print(f"Data folder: {settings.home}")

    configure_logging(logging.INFO)
    # log_config=None: uvicorn's loggers go through the redacting root handler.
    uvicorn.run(create_app(settings, on_demo_ready=announce), host=host, port=port, log_config=None)


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Tasks run at once")] = 2,
    pool: Annotated[str, typer.Option(help="Celery pool: prefork, threads or solo")] = "prefork",
    loglevel: Annotated[str, typer.Option(help="debug, info, warning or error")] = "info",
) -> None:
    """Run a Celery worker: syncs, webhook deliveries, AI trades and cleanup (needs Redis)."""
    from brokerhub.jobs.celery_app import create_celery

    configure_logging(loglevel.upper())
    settings = get_settings()
    celery = create_celery(settings)
    celery.worker_main(
        ["worker", f"--concurrency={concurrency}", f"--pool={pool}", f"--loglevel={loglevel}"]
    )


@app.command()
def beat(
    loglevel: Annotated[str, typer.Option(help="debug, info, warning or error")] = "info",
) -> None:
    """Run Celery beat: queue the scheduled jobs (run exactly one beat per deployment)."""
    from brokerhub.jobs.celery_app import create_celery

    configure_logging(loglevel.upper())
    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    schedule_file = settings.home / "celerybeat-schedule"
    create_celery(settings).start(["beat", f"--schedule={schedule_file}", f"--loglevel={loglevel}"])


register_account_commands(app)
