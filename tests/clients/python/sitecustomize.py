"""Lets the `ksql` package's dependency `hyper` 0.7 import on Python 3.10 and later.

hyper imports `Iterable` and `Mapping` from `collections`, which Python 3.10 moved to
`collections.abc` only. Every user of `ksql` on a current Python needs this alias; the
client itself runs unchanged.
"""

import collections
import collections.abc

for _name in ("Iterable", "Mapping", "MutableMapping", "MutableSet", "Sequence", "Callable"):
    setattr(collections, _name, getattr(collections.abc, _name))
