"""Device services that work the same on phones, emulators and virtual devices (adb, logcat, Appium)."""
