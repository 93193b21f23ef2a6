"""Native views of the virtual device (what UiAutomator sees): trees, XML dumps, rendering, lookup."""
