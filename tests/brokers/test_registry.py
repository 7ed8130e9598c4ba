import sys
from pathlib import Path

import pytest

from brokerhub.brokers.base import AuthMethod, BaseBroker, BrokerRegistry, BrokerSpec
from brokerhub.core.capabilities import Capability
from brokerhub.errors import ConfigurationError, UnsupportedOperation

PLUGIN = """
from brokerhub.brokers.base import AuthMethod, BaseBroker, BrokerSpec
from brokerhub.core.capabilities import Capability


class AcmeBroker(BaseBroker):
    name = "acme"
    capabilities = frozenset({Capability.ACCOUNTS})

    async def accounts(self):
        return []


ACME = BrokerSpec(
    name="acme",
    display_name="Acme Securities",
    factory=lambda credentials: AcmeBroker(),
    capabilities=AcmeBroker.capabilities,
    auth_method=AuthMethod.API_KEY_SECRET,
    required_fields=("api_key", "secret_key"),
)
"""


def install_plugin(root: Path, value: str) -> None:
    (root / "acme_plugin.py").write_text(PLUGIN)
    dist = root / "acme_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[brokerhub.brokers]\nacme = {value}\n")


@pytest.fixture
def plugin_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("acme_plugin", None)


def test_third_party_adapter_is_discovered_through_entry_points(plugin_path: Path) -> None:
    install_plugin(plugin_path, "acme_plugin:ACME")
    registry = BrokerRegistry()
    registry.load_entry_points()
    spec = registry.get("acme")
    assert spec is not None
    assert spec.required_fields == ("api_key", "secret_key")
    assert spec.capability_map()["accounts"] is True
    assert spec.capability_map()["place_order"] is False


def test_entry_point_that_is_not_a_spec_is_a_configuration_error(plugin_path: Path) -> None:
    install_plugin(plugin_path, "acme_plugin:AcmeBroker")
    with pytest.raises(ConfigurationError, match="not a BrokerSpec"):
        BrokerRegistry().load_entry_points()


def test_two_specs_with_one_name_are_refused() -> None:
    registry = BrokerRegistry()
    first = BrokerSpec("x", "X", lambda c: BaseBroker(), frozenset(), auth_method=AuthMethod.NONE)
    registry.register(first)
    registry.register(first)
    with pytest.raises(ConfigurationError, match="twice"):
        registry.register(
            BrokerSpec("x", "X2", lambda c: BaseBroker(), frozenset(), auth_method=AuthMethod.NONE)
        )


async def test_base_broker_names_the_missing_operation() -> None:
    class Quiet(BaseBroker):
        name = "quiet"

    broker = Quiet()
    assert not broker.supports(Capability.PLACE_ORDER)
    with pytest.raises(UnsupportedOperation, match="quiet does not support place_order"):
        await broker.place_order("A", None)  # type: ignore[arg-type]
