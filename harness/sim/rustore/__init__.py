"""RuStore on the virtual device: the Defold plugin and billing SDK emulation (CONTRACT.md)."""
