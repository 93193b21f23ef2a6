"""Everything virtual: the virtual Android device, the RuStore sandbox and the farm that runs them.

Outside this package only the farm launcher (``harness.sim.farm``) and the sandbox client may be
imported by the rest of the harness, which must work unchanged on a phone.
"""
