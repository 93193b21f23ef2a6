"""The emulated shell: a parser and an interpreter over the Android model (no host commands)."""
