"""ORM rows, one module per table; importing this package registers every table."""

from brokerhub.store.models.api_keys import ApiKeyRow
from brokerhub.store.models.audit_log import AuditLogRow
from brokerhub.store.models.connections import ConnectionRow
from brokerhub.store.models.oauth_handshakes import OAuthHandshakeRow
from brokerhub.store.models.orders import OrderRow
from brokerhub.store.models.positions import PositionRow
from brokerhub.store.models.sync_runs import SyncRunRow
from brokerhub.store.models.transactions import TransactionRow
from brokerhub.store.models.users import UserRow
from brokerhub.store.models.webhooks import WebhookDeliveryRow, WebhookEventRow, WebhookRow

__all__ = [
    "ApiKeyRow",
    "AuditLogRow",
    "ConnectionRow",
    "OAuthHandshakeRow",
    "OrderRow",
    "PositionRow",
    "SyncRunRow",
    "TransactionRow",
    "UserRow",
    "WebhookDeliveryRow",
    "WebhookEventRow",
    "WebhookRow",
]
