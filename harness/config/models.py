"""The typed model of `devices.yaml` v1 (reference: docs/devices-yaml.md).

Strict on purpose: YAML guesses types (`port: "4723"` is a string, `plugin: 5.0` is a
float), and a harness that silently coerces hides the typo that makes a farm run test
the wrong thing. Unknown keys are errors for the same reason.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    field_serializer,
    field_validator,
    model_validator,
)

from harness.config.secrets import Secret, mask, reveal

PluginProfile = Literal["6.0.0", "5.0.1"]
PROFILE_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*-api-\d{2}")
PACKAGE_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)+")
SCHEME_PATTERN = re.compile(r"[a-z][a-z0-9+.-]*")
POOL_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class VirtualPool(_Model):
    """Virtual devices started by the harness (harness/sim)."""

    kind: Literal["virtual"]
    count: int = Field(default=2, ge=1)
    profile: str = "pixel-7-api-34"
    plugin: PluginProfile = "6.0.0"
    mode: Literal["faithful", "fixed"] = "faithful"
    latency: Literal["instant", "realistic"] = "instant"

    @field_validator("profile")
    @classmethod
    def _profile(cls, value: str) -> str:
        if not PROFILE_PATTERN.fullmatch(value):
            raise ValueError(f"expected a device profile like 'pixel-7-api-34', found {value!r}")
        return value


class AdbDevice(_Model):
    serial: str = Field(min_length=1)
    label: str | None = None


class AdbPool(_Model):
    """Phones (USB or `adb connect`) already visible to the adb server."""

    kind: Literal["adb"]
    devices: list[AdbDevice] = Field(min_length=1)


class EmulatorBoot(_Model):
    headless: bool = True
    args: list[str] = Field(default_factory=list)
    timeout: int = Field(default=300, ge=1)  # seconds to wait for sys.boot_completed
    port: int | None = Field(default=None, ge=5554, le=5682)  # console port → serial emulator-<port>


class EmulatorDevice(_Model):
    avd: str = Field(min_length=1)
    boot: EmulatorBoot = EmulatorBoot()


class EmulatorPool(_Model):
    """AVDs booted with the SDK's `emulator` (or attached when already running)."""

    kind: Literal["emulator"]
    devices: list[EmulatorDevice] = Field(min_length=1)


class Credentials(_Model):
    username: Secret
    password: Secret


def _check_http_url(value: str | Secret) -> str | Secret:
    """An http(s) URL with a host; a password in it must come from the environment."""
    text = reveal(value)
    shown = value.template if isinstance(value, Secret) else value
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http(s) URL such as https://hub.example.com/wd/hub, found {shown!r}")
    if parts.password and not isinstance(value, Secret):
        raise ValueError("the URL holds a password; write that part as ${NAME} and export NAME")
    return value


# A server's URL (a pool's ``url``, a Grid node's ``node_url``): checked, and masked in reports
# when it came from the environment.
ServerUrl = Annotated[str | Secret, AfterValidator(_check_http_url), PlainSerializer(mask)]


def _with_credentials(url: str, credentials: Credentials | None) -> str:
    """``url`` with ``credentials`` as ``user:password@`` unless it has its own."""
    parts = urlsplit(url)
    if credentials is None or parts.username is not None:
        return url
    user = quote(str(reveal(credentials.username)), safe="")
    password = quote(str(reveal(credentials.password)), safe="")
    return parts._replace(netloc=f"{user}:{password}@{parts.netloc}").geturl()


class RemoteDevice(_Model):
    name: str = Field(min_length=1)
    capabilities: dict[str, Any] = Field(default_factory=dict)
    # The Appium server behind the Grid node holding this device: a Grid routes Appium's HTTP
    # commands but not its logcat websocket, which the harness opens there (same session id).
    node_url: ServerUrl | None = None

    @field_serializer("capabilities")
    def _mask_caps(self, value: dict[str, Any]) -> Any:
        return mask(value)


class RemotePool(_Model):
    """Devices behind an Appium server or a Selenium Grid (a device farm)."""

    kind: Literal["remote"]
    server: Literal["appium", "selenium-grid"] = "appium"
    url: ServerUrl
    capabilities: dict[str, Any] = Field(default_factory=dict)
    credentials: Credentials | None = None
    node_url: ServerUrl | None = None  # every device's node_url unless it names its own
    devices: list[RemoteDevice] = Field(min_length=1)

    @model_validator(mode="after")
    def _node_urls_need_a_grid(self) -> RemotePool:
        if self.server != "selenium-grid" and (
            self.node_url is not None or any(d.node_url is not None for d in self.devices)
        ):
            raise ValueError(
                "node_url names the Appium server behind a Selenium Grid node; "
                "it needs server: selenium-grid (with server: appium, url is that server)"
            )
        return self

    @field_serializer("capabilities")
    def _mask_caps(self, value: dict[str, Any]) -> Any:
        return mask(value)

    def server_url(self, override: str | None = None) -> str:
        """The URL (or ``override``, e.g. ``--appium-url`` naming a grid's node) with the pool's
        ``credentials`` as ``user:password@`` unless it has its own. Revealed: for the code that
        connects, which sends them as Basic authentication and never shows the URL."""
        return _with_credentials(override or str(reveal(self.url)), self.credentials)

    def node_url_for(self, device_name: str) -> str | None:
        """The Appium server behind the Grid node of ``device_name`` (the device's ``node_url``,
        else the pool's), with the pool's credentials; None when neither is set."""
        device = self.device(device_name)
        url = device.node_url if device.node_url is not None else self.node_url
        return None if url is None else _with_credentials(str(reveal(url)), self.credentials)

    def capabilities_for(self, device_name: str) -> dict[str, Any]:
        """The pool's capabilities with the device's merged over them (Secrets still wrapped)."""
        return {**self.capabilities, **self.device(device_name).capabilities}

    def device(self, name: str) -> RemoteDevice:
        """The pool's device called ``name`` (KeyError when it has none)."""
        for device in self.devices:
            if device.name == name:
                return device
        raise KeyError(name)


Pool = Annotated[VirtualPool | AdbPool | EmulatorPool | RemotePool, Field(discriminator="kind")]
POOL_KINDS = ("adb", "emulator", "remote", "virtual")


class AppSection(_Model):
    package: str
    activity: str = "com.dynamo.android.DefoldActivity"
    deeplink_scheme: str
    product_ids: list[str] = Field(default_factory=list)
    apk: dict[str, str] = Field(default_factory=dict)  # pool name → path, or "auto" (virtual pools)

    @field_validator("package")
    @classmethod
    def _package(cls, value: str) -> str:
        if not PACKAGE_PATTERN.fullmatch(value):
            raise ValueError(
                f"expected an Android package name like 'ru.rustore.sample.billing', found {value!r}"
            )
        return value

    @field_validator("deeplink_scheme")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if not SCHEME_PATTERN.fullmatch(value):
            raise ValueError(f"expected a URI scheme (lowercase letters, digits, + . -), found {value!r}")
        return value


class AppiumVersions(_Model):
    appium: str | None = None
    uiautomator2: str | None = None


class AppiumSection(_Model):
    address: str = "127.0.0.1"
    port: int = Field(default=4723, ge=1, le=65535)
    args: list[str] = Field(default_factory=list)
    versions: AppiumVersions = AppiumVersions()


class DeviceSpec(BaseModel):
    """One leasable device of a pool, as the pool module and fixtures see it."""

    model_config = ConfigDict(frozen=True)

    id: str
    pool: str
    kind: str
    label: str | None = None


class DevicesConfig(_Model):
    version: Literal[1] = 1
    default_pool: str
    app: AppSection
    appium: AppiumSection = AppiumSection()
    locators: str | None = None
    pools: dict[str, Pool] = Field(min_length=1)

    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        return self._source

    def _resolve(self, path: str) -> Path:
        base = self._source.parent if self._source else Path.cwd()
        return (base / path).resolve()

    def pool(self, name: str | None = None) -> VirtualPool | AdbPool | EmulatorPool | RemotePool:
        """The named pool (default pool when None); an unknown name is a ConfigError."""
        from harness.config.loader import ConfigError, did_you_mean

        name = name or self.default_pool
        if name not in self.pools:
            where = f"{self._source}: " if self._source else ""
            raise ConfigError(
                f"{where}--pool: unknown pool {name!r}{did_you_mean(name, self.pools)}; "
                f"pools in this file: {', '.join(sorted(self.pools))}"
            )
        return self.pools[name]

    def devices(self, pool_name: str | None = None) -> list[DeviceSpec]:
        name = pool_name or self.default_pool
        pool = self.pool(name)
        if isinstance(pool, VirtualPool):
            return [DeviceSpec(id=f"{name}-{i}", pool=name, kind="virtual") for i in range(1, pool.count + 1)]
        if isinstance(pool, AdbPool):
            return [DeviceSpec(id=d.serial, pool=name, kind="adb", label=d.label) for d in pool.devices]
        if isinstance(pool, EmulatorPool):
            return [DeviceSpec(id=d.avd, pool=name, kind="emulator") for d in pool.devices]
        return [DeviceSpec(id=d.name, pool=name, kind="remote") for d in pool.devices]

    def apk_for(self, pool_name: str | None = None) -> Path | Literal["auto"] | None:
        """The APK to install on a pool: a resolved path, "auto" (built for virtual pools), or None."""
        name = pool_name or self.default_pool
        value = self.app.apk.get(name)
        if value is None:
            return "auto" if isinstance(self.pool(name), VirtualPool) else None
        return "auto" if value == "auto" else self._resolve(value)

    def locators_path(self) -> Path | None:
        return self._resolve(self.locators) if self.locators else None

    def report_dump(self) -> dict[str, Any]:
        """JSON-ready dump for reports; secrets are `***`."""
        dumped: dict[str, Any] = mask(self.model_dump(mode="json"))
        return dumped
