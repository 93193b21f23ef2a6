"""How the game server reaches RuStore: public API base URL, console key and expected package."""

from __future__ import annotations

from dataclasses import dataclass

PRODUCTION_RUSTORE_URL = "https://public-api.rustore.ru"
# The sample game's package (``sample_app/products.yaml``), the default application_code we expect.
SAMPLE_PACKAGE = "ru.rustore.sample.billing"


@dataclass(frozen=True)
class GameServerSettings:
    """Everything the server needs besides its database.

    ``rustore_base_url`` is the sandbox's base URL in tests and ``PRODUCTION_RUSTORE_URL`` on a real
    deployment; ``package_name`` is compared with ``application_code`` of every purchase so a token
    bought in another app is refused.
    """

    rustore_base_url: str
    key_id: str
    private_key_pem: str
    package_name: str = SAMPLE_PACKAGE
    request_timeout_s: float = 10.0
    # Re-authenticate this long before the JWE's ttl runs out, so a token never expires in flight.
    token_refresh_margin_s: float = 30.0

    def __post_init__(self) -> None:
        for name in ("rustore_base_url", "key_id", "private_key_pem", "package_name"):
            if not getattr(self, name):
                raise ValueError(f"GameServerSettings.{name} must not be empty")

    def __repr__(self) -> str:
        # Never print the private key (settings end up in logs and tracebacks).
        return (
            f"GameServerSettings(rustore_base_url={self.rustore_base_url!r}, key_id={self.key_id!r}, "
            f"package_name={self.package_name!r}, private_key_pem=<hidden>)"
        )
