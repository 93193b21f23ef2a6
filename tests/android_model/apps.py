"""Virtual apps the tests install: real APKs built from a manifest description."""

from __future__ import annotations

from harness.sim.android.apk import (
    ACTION_MAIN,
    ACTION_VIEW,
    CATEGORY_BROWSABLE,
    CATEGORY_DEFAULT,
    CATEGORY_LAUNCHER,
    RUNTIME_META_KEY,
    ActivitySpec,
    DataSpec,
    InstrumentationSpec,
    IntentFilterSpec,
    ManifestSpec,
    build_apk,
)

GAME = "com.example.game"
GAME_ACTIVITY = "com.dynamo.android.DefoldActivity"
RETURN_ACTIVITY = "ru.rustore.defold.billing.RuStoreIntentFilterActivity"
BANK = "ru.example.bank"


def game_manifest(
    version_code: int = 3, version_name: str = "1.2.0", scheme: str = "example"
) -> ManifestSpec:
    """Shaped like CONTRACT §7: two singleTask activities, the return one filtering the app's scheme."""
    return ManifestSpec(
        package=GAME,
        version_code=version_code,
        version_name=version_name,
        label="Example Game",
        activities=[
            ActivitySpec(
                GAME_ACTIVITY,
                exported=True,
                launch_mode="singleTask",
                intent_filters=[IntentFilterSpec([ACTION_MAIN], [CATEGORY_LAUNCHER])],
            ),
            ActivitySpec(
                RETURN_ACTIVITY,
                exported=True,
                launch_mode="singleTask",
                intent_filters=[
                    IntentFilterSpec(
                        [ACTION_VIEW], [CATEGORY_DEFAULT, CATEGORY_BROWSABLE], [DataSpec(scheme=scheme)]
                    )
                ],
            ),
            ActivitySpec("com.example.game.SettingsActivity", exported=False),
        ],
        meta_data={RUNTIME_META_KEY: "generic"},
    )


def game_apk(**kwargs: object) -> bytes:
    return build_apk(game_manifest(**kwargs), assets={"game.projectc": b"[project]\ntitle = Example\n"})  # type: ignore[arg-type]


def bank_apk() -> bytes:
    """A bank app answering its own scheme and host, with a standard launcher activity."""
    return build_apk(
        ManifestSpec(
            package=BANK,
            activities=[
                ActivitySpec(
                    f"{BANK}.MainActivity",
                    exported=True,
                    intent_filters=[IntentFilterSpec([ACTION_MAIN], [CATEGORY_LAUNCHER])],
                ),
                ActivitySpec(
                    f"{BANK}.PayActivity",
                    exported=True,
                    intent_filters=[
                        IntentFilterSpec(
                            [ACTION_VIEW],
                            [CATEGORY_DEFAULT, CATEGORY_BROWSABLE],
                            [DataSpec(scheme="bankpay", host="pay.example.ru")],
                        )
                    ],
                ),
            ],
        )
    )


def uia2_test_apk() -> bytes:
    return build_apk(
        ManifestSpec(
            package="io.appium.uiautomator2.server.test",
            instrumentations=[
                InstrumentationSpec(
                    "androidx.test.runner.AndroidJUnitRunner", "io.appium.uiautomator2.server"
                )
            ],
        )
    )


def uia2_server_apk() -> bytes:
    return build_apk(
        ManifestSpec(package="io.appium.uiautomator2.server", version_code=106006, version_name="10.6.6")
    )
