"""The garbage collector and a long-running server.

A server process imports and builds some hundred thousand objects that live as long as it does
(modules, routes, schemas, compiled templates, the procedure catalogue). CPython's full
collection walks all of them every time; in a worker under load that was a pause of 100–200 ms
every few seconds, with every request in that process (and the one holding the write lock)
standing still, which is what the slowest 5 % of answers were made of.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect once, then move every object alive now into the permanent generation
    (``gc.freeze``): later collections look only at what requests allocate. Call when a process
    has finished starting up; calling it again also settles what was loaded since."""
    gc.collect()
    gc.freeze()
