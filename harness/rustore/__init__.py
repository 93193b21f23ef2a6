"""RuStore billing knowledge the harness checks devices against.

Channel catalog, payload schemas and models, the contract checker, the logcat frame
format, the callback recorder, the purchase state checker and the error catalogs. All
of it is pure: nothing here talks to a device, so it is tested without one.
"""
