"""The package manager: installed packages, their APK on the device, install/uninstall rules."""

from __future__ import annotations

import base64
import hashlib
import itertools
import time
from dataclasses import dataclass, field

from harness.sim.android.apk import (
    ACTION_MAIN,
    CATEGORY_DEFAULT,
    CATEGORY_HOME,
    CATEGORY_LAUNCHER,
    ActivitySpec,
    ApkError,
    IntentFilterSpec,
    ManifestSpec,
    parse_apk,
)
from harness.sim.android.processes import FIRST_APP_UID
from harness.sim.android.vfs import VirtualFs


class InstallError(Exception):
    """``Failure [CODE: message]`` as ``pm install`` prints it."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message

    @property
    def line(self) -> str:
        return f"Failure [{self.code}{': ' + self.message if self.message else ''}]"


@dataclass
class InstalledPackage:
    manifest: ManifestSpec
    uid: int
    code_path: str  # directory holding base.apk
    apk: bytes
    system: bool = False
    first_install_time: float = field(default_factory=time.time)
    last_update_time: float = field(default_factory=time.time)
    installer: str | None = None
    enabled: bool = True
    stopped: bool = False
    data: dict[str, bytes] = field(default_factory=dict)  # app-private storage (pm clear wipes it)

    @property
    def name(self) -> str:
        return self.manifest.package

    @property
    def apk_path(self) -> str:
        return f"{self.code_path}/base.apk"

    @property
    def data_dir(self) -> str:
        return f"/data/user/0/{self.name}"

    @property
    def runtime(self) -> str:
        return self.manifest.runtime

    def launcher_activity(self) -> ActivitySpec | None:
        for act in self.manifest.activities:
            for f in act.intent_filters:
                if ACTION_MAIN in f.actions and CATEGORY_LAUNCHER in f.categories:
                    return act
        return None


def _system_manifests() -> list[ManifestSpec]:
    launcher = ManifestSpec(
        "com.google.android.apps.nexuslauncher",
        1,
        "14",
        label="Pixel Launcher",
        activities=[
            ActivitySpec(
                "com.google.android.apps.nexuslauncher.NexusLauncherActivity",
                exported=True,
                launch_mode="singleTask",
                intent_filters=[IntentFilterSpec([ACTION_MAIN], [CATEGORY_HOME, CATEGORY_DEFAULT])],
            )
        ],
    )
    settings = ManifestSpec(
        "com.android.settings",
        34,
        "14",
        label="Settings",
        activities=[
            ActivitySpec(
                "com.android.settings.Settings",
                exported=True,
                intent_filters=[IntentFilterSpec([ACTION_MAIN], [CATEGORY_LAUNCHER, CATEGORY_DEFAULT])],
            )
        ],
    )
    plain = [
        ManifestSpec(name, 34, "14")
        for name in (
            "android",
            "com.android.shell",
            "com.android.systemui",
            "com.android.phone",
            "com.android.providers.settings",
            "com.android.inputmethod.latin",
        )
    ]
    return [*plain, launcher, settings]


_SYSTEM_UIDS = {
    "android": 1000,
    "com.android.shell": 2000,
    "com.android.systemui": 10090,
    "com.android.phone": 1001,
    "com.android.providers.settings": 1000,
    "com.google.android.apps.nexuslauncher": 10091,
    "com.android.settings": 1000,
    "com.android.inputmethod.latin": 10092,
}


class PackageManager:
    def __init__(self, fs: VirtualFs, sdk: int) -> None:
        self.fs = fs
        self.sdk = sdk
        self.packages: dict[str, InstalledPackage] = {}
        self._next_app_uid = itertools.count(FIRST_APP_UID + 150)
        self._sessions = itertools.count(1_283_750_000)
        self.sessions: dict[int, dict[str, bytes]] = {}
        self._session_sizes: dict[int, int] = {}
        for spec in _system_manifests():
            path = f"/system/app/{spec.package.rsplit('.', 1)[-1]}"
            self.packages[spec.package] = InstalledPackage(
                spec,
                _SYSTEM_UIDS.get(spec.package, 1000),
                path,
                b"",
                system=True,
                first_install_time=1230768000,
                last_update_time=1230768000,
            )

    def get(self, name: str) -> InstalledPackage | None:
        return self.packages.get(name)

    def third_party(self) -> list[InstalledPackage]:
        return [p for p in self.packages.values() if not p.system]

    # --- install -----------------------------------------------------------------------------------
    def install(
        self,
        apk: bytes,
        *,
        allow_test: bool = True,
        allow_downgrade: bool = False,
        replace: bool = True,
        installer: str | None = None,
    ) -> InstalledPackage:
        """Install or update from APK bytes; raises :class:`InstallError` with Android's code."""
        if not apk:
            raise InstallError(
                "INSTALL_PARSE_FAILED_NOT_APK",
                "Failed to parse /data/app/vmdl.tmp/base.apk: "
                "Failed to load asset path /data/app/vmdl.tmp/base.apk",
            )
        try:
            spec = parse_apk(apk)
        except ApkError as exc:
            if exc.code == "INSTALL_PARSE_FAILED_NOT_APK":
                raise InstallError(
                    "INSTALL_FAILED_INVALID_APK",
                    f"Failed to parse /data/app/vmdl.tmp/base.apk: {exc.message}",
                ) from exc
            raise InstallError(
                exc.code, f"Failed to parse /data/app/vmdl.tmp/base.apk: {exc.message}"
            ) from exc
        if spec.min_sdk > self.sdk:
            raise InstallError(
                "INSTALL_FAILED_OLDER_SDK",
                f"Requires newer sdk version #{spec.min_sdk} (current version is #{self.sdk})",
            )
        if spec.test_only and not allow_test:
            raise InstallError("INSTALL_FAILED_TEST_ONLY", "installPackageLI")
        old = self.packages.get(spec.package)
        if old is not None:
            if old.system:
                raise InstallError(
                    "INSTALL_FAILED_UPDATE_INCOMPATIBLE",
                    f"Package {spec.package} signatures do not match previously installed version",
                )
            if not replace:
                raise InstallError(
                    "INSTALL_FAILED_ALREADY_EXISTS",
                    f"Attempt to re-install {spec.package} without first uninstalling.",
                )
            if spec.version_code < old.manifest.version_code and not allow_downgrade:
                raise InstallError(
                    "INSTALL_FAILED_VERSION_DOWNGRADE",
                    f"Downgrade detected: Update version code {spec.version_code} is older than "
                    f"current {old.manifest.version_code}",
                )
            self.fs.remove(old.code_path, recursive=True)
        digest = hashlib.sha256(apk + str(time.time_ns()).encode()).digest()
        outer = base64.urlsafe_b64encode(digest[:16]).decode()
        inner = base64.urlsafe_b64encode(digest[16:32]).decode()
        code_path = f"/data/app/~~{outer}/{spec.package}-{inner}"
        self.fs.write(f"{code_path}/base.apk", apk)
        now = time.time()
        pkg = InstalledPackage(
            spec,
            old.uid if old else next(self._next_app_uid),
            code_path,
            apk,
            first_install_time=old.first_install_time if old else now,
            last_update_time=now,
            installer=installer,
            data=old.data if old else {},
        )
        self.packages[spec.package] = pkg
        self.fs.makedirs(pkg.data_dir)
        return pkg

    def uninstall(self, name: str, keep_data: bool = False) -> None:
        pkg = self.packages.get(name)
        if pkg is None or pkg.system:
            raise InstallError("DELETE_FAILED_INTERNAL_ERROR")
        del self.packages[name]
        self.fs.remove(pkg.code_path, recursive=True)
        if not keep_data and self.fs.exists(pkg.data_dir):
            self.fs.remove(pkg.data_dir, recursive=True)

    def clear(self, name: str) -> bool:
        pkg = self.packages.get(name)
        if pkg is None:
            return False
        pkg.data.clear()
        if self.fs.exists(pkg.data_dir):
            self.fs.remove(pkg.data_dir, recursive=True)
        self.fs.makedirs(pkg.data_dir)
        return True

    # --- install sessions (adb install-multiple / streamed installs) --------------------------------
    def create_session(self, total_size: int = 0) -> int:
        sid = next(self._sessions)
        self.sessions[sid] = {}
        self._session_sizes[sid] = total_size
        return sid

    def write_session(self, sid: int, name: str, data: bytes) -> None:
        if sid not in self.sessions:
            raise InstallError("INSTALL_FAILED_INTERNAL_ERROR", f"Invalid session {sid}")
        self.sessions[sid][name] = data

    def commit_session(
        self, sid: int, *, allow_test: bool = True, allow_downgrade: bool = False
    ) -> InstalledPackage:
        splits = self.sessions.pop(sid, None)
        self._session_sizes.pop(sid, None)
        if splits is None:
            raise InstallError("INSTALL_FAILED_INTERNAL_ERROR", f"Invalid session {sid}")
        if not splits:
            raise InstallError("INSTALL_FAILED_INVALID_APK", "No packages staged in session")
        # the base APK is the one whose manifest has no split name; with our APKs, the first one
        base = next(iter(splits.values()))
        return self.install(base, allow_test=allow_test, allow_downgrade=allow_downgrade)

    def abandon_session(self, sid: int) -> bool:
        self._session_sizes.pop(sid, None)
        return self.sessions.pop(sid, None) is not None
