"""Device profiles: the handful of facts that make one virtual phone differ from another.

Kept as frozen dataclasses (not a data file) so a typo in a profile name is a ``KeyError`` at
construction time and mypy checks every field.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceProfile:
    """Static hardware/build facts; everything mutable lives in the model."""

    name: str
    sdk: int
    release: str
    manufacturer: str
    brand: str
    model: str
    device: str
    product: str
    abi: str
    density: int
    width: int
    height: int
    build_id: str
    incremental: str
    security_patch: str
    timezone: str = "Europe/Moscow"

    @property
    def fingerprint(self) -> str:
        return (
            f"{self.brand}/{self.product}/{self.device}:{self.release}/{self.build_id}/"
            f"{self.incremental}:user/release-keys"
        )

    def properties(self, serialno: str) -> dict[str, str]:
        """The ``getprop`` table a freshly booted device of this kind reports."""
        abilist = {"x86_64": "x86_64,x86", "arm64-v8a": "arm64-v8a,armeabi-v7a,armeabi"}.get(
            self.abi, self.abi
        )
        return {
            "dalvik.vm.heapsize": "512m",
            "init.svc.adbd": "running",
            "net.bt.name": "Android",
            "persist.sys.locale": "en-US",
            "persist.sys.timezone": self.timezone,
            "persist.sys.usb.config": "adb",
            "ro.boot.serialno": serialno,
            "ro.build.characteristics": "default",
            "ro.build.description": (
                f"{self.product}-user {self.release} {self.build_id} {self.incremental} release-keys"
            ),
            "ro.build.display.id": f"{self.build_id} release-keys",
            "ro.build.fingerprint": self.fingerprint,
            "ro.build.id": self.build_id,
            "ro.build.tags": "release-keys",
            "ro.build.type": "user",
            "ro.build.version.codename": "REL",
            "ro.build.version.incremental": self.incremental,
            "ro.build.version.preview_sdk": "0",
            "ro.build.version.release": self.release,
            "ro.build.version.release_or_codename": self.release,
            "ro.build.version.sdk": str(self.sdk),
            "ro.build.version.security_patch": self.security_patch,
            "ro.debuggable": "0",
            "ro.hardware": "ranchu",
            "ro.kernel.qemu": "0",
            "ro.product.board": self.device,
            "ro.product.brand": self.brand,
            "ro.product.cpu.abi": self.abi,
            "ro.product.cpu.abilist": abilist,
            "ro.product.device": self.device,
            "ro.product.locale": "en-US",
            "ro.product.manufacturer": self.manufacturer,
            "ro.product.model": self.model,
            "ro.product.name": self.product,
            "ro.secure": "1",
            "ro.serialno": serialno,
            "ro.sf.lcd_density": str(self.density),
            "service.bootanim.exit": "1",
            "sys.boot_completed": "1",
            "dev.bootcomplete": "1",
            "sys.usb.state": "adb",
        }


PROFILES: dict[str, DeviceProfile] = {
    p.name: p
    for p in (
        DeviceProfile(
            name="pixel-7-api-34",
            sdk=34,
            release="14",
            manufacturer="Google",
            brand="google",
            model="Pixel 7",
            device="panther",
            product="panther",
            abi="x86_64",
            density=420,
            width=1080,
            height=2400,
            build_id="UQ1A.240205.004",
            incremental="11269751",
            security_patch="2024-02-05",
        ),
        DeviceProfile(
            name="api-28",
            sdk=28,
            release="9",
            manufacturer="samsung",
            brand="samsung",
            model="SM-G960F",
            device="starlte",
            product="starltexx",
            abi="x86_64",
            density=480,
            width=1080,
            height=1920,
            build_id="PPR1.180610.011",
            incremental="G960FXXU2CRLI",
            security_patch="2018-12-01",
        ),
    )
}


def get_profile(name: str) -> DeviceProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown device profile {name!r}; known: {', '.join(sorted(PROFILES))}") from None
