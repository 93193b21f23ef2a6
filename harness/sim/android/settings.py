"""``settings`` namespaces (system/secure/global) with the defaults a fresh device has."""

from __future__ import annotations

NAMESPACES = ("system", "secure", "global")

_DEFAULTS: dict[str, dict[str, str]] = {
    "system": {
        "screen_brightness": "102",
        "screen_off_timeout": "60000",
        "font_scale": "1.0",
        "accelerometer_rotation": "1",
        "haptic_feedback_enabled": "1",
    },
    "secure": {
        "android_id": "",
        "default_input_method": "com.android.inputmethod.latin/.LatinIME",
        "enabled_input_methods": "com.android.inputmethod.latin/.LatinIME",
        "location_mode": "3",
        "user_setup_complete": "1",
    },
    "global": {
        "adb_enabled": "1",
        "airplane_mode_on": "0",
        "animator_duration_scale": "1.0",
        "transition_animation_scale": "1.0",
        "window_animation_scale": "1.0",
        "development_settings_enabled": "1",
        "device_provisioned": "1",
        "stay_on_while_plugged_in": "0",
        "wifi_on": "1",
        "package_verifier_enable": "1",
    },
}


class Settings:
    def __init__(self, android_id: str) -> None:
        self.tables: dict[str, dict[str, str]] = {ns: dict(values) for ns, values in _DEFAULTS.items()}
        self.tables["secure"]["android_id"] = android_id

    def get(self, namespace: str, key: str) -> str | None:
        return self.tables[namespace].get(key)

    def put(self, namespace: str, key: str, value: str) -> None:
        self.tables[namespace][key] = value

    def delete(self, namespace: str, key: str) -> bool:
        return self.tables[namespace].pop(key, None) is not None

    def items(self, namespace: str) -> list[tuple[str, str]]:
        return sorted(self.tables[namespace].items())
