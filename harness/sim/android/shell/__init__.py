"""The emulated ``/system/bin/sh``: a parser and an interpreter over the Android model.

Nothing here runs on the host. A command name is looked up in a dict of Python coroutines
(:data:`harness.sim.android.shell.registry.COMMANDS`); paths name nodes of the in-memory file
system; ``$(…)``, backticks and ``… | sh`` are parsed again and run by this same interpreter.

Supported (the part of mksh adb clients, Appium and people at a prompt use): single/double
quotes and backslashes; ``;`` ``&&`` ``||`` ``|`` ``!`` (``&`` runs in the foreground);
``$VAR`` ``${VAR}`` ``${VAR#p}`` ``${VAR##p}`` ``${VAR%p}`` ``${VAR%%p}`` ``${VAR:-w}``
``${VAR:+w}`` ``${#VAR}`` ``$?`` ``$$``; ``NAME=value`` (alone or before a command);
``$(…)`` and backticks; ``*``/``?`` globbing against device files; redirections ``>`` ``>>``
``<`` ``N>&M`` ``N>/dev/null``; ``if/elif/else/fi``, ``for … in … do … done``,
``while``/``until``, ``( … )``, ``{ …; }``; comments. Not supported (a syntax error, never a
host call): here-documents, ``$((…))``, ``case``, functions, brace expansion, ``~``.

Unknown commands answer as mksh does: ``/system/bin/sh: X: inaccessible or not found``, 127.
"""
