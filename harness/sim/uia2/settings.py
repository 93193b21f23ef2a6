"""The server's settings (``GET/POST /session/:id/appium/settings``) and their defaults.

Names and defaults are the UiAutomator2 server's; ``waitForIdleTimeout`` matters most here:
a GL game never goes idle on a phone, which is why the harness sets it to 0.
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    "actionAcknowledgmentTimeout": 3000,
    "allowInvisibleElements": False,
    "alwaysTraversableViewClasses": "",
    "ignoreUnimportantViews": False,
    "currentDisplayId": 0,
    "deferAccessibilityCacheReset": False,
    "disableIdLocatorAutocompletion": False,
    "elementResponseAttributes": "",
    "enableMultiWindows": False,
    "enableNotificationListener": True,
    "enableTopmostWindowFromActivePackage": False,
    "enforceXPath1": False,
    "includeA11yActionsInPageSource": False,
    "includeExtraRenderingInfo": False,
    "includeExtrasInPageSource": False,
    "keyInjectionDelay": 0,
    "limitXPathContextScope": True,
    "mapTestTagToResourceId": False,
    "mjpegBilinearFiltering": False,
    "mjpegScalingFactor": 50,
    "mjpegServerFramerate": 10,
    "mjpegServerPort": 7810,
    "mjpegServerScreenshotQuality": 50,
    "normalizeTagNames": False,
    "scrollAcknowledgmentTimeout": 200,
    "serverPort": 6790,
    "shouldUseCompactResponses": True,
    "shutdownOnPowerDisconnect": True,
    "simpleBoundsCalculation": False,
    "snapshotMaxDepth": 70,
    "trackScrollEvents": True,
    "useResourcesForOrientationDetection": False,
    "waitForIdleTimeout": 10000,
    "waitForSelectorTimeout": 10000,
    "wakeLockTimeout": 86400000,
}

#: Capabilities the driver passes on at session start that are really settings.
CAPABILITY_SETTINGS = ("waitForIdleTimeout", "waitForSelectorTimeout", "actionAcknowledgmentTimeout")


def fresh() -> dict[str, Any]:
    return dict(DEFAULTS)
