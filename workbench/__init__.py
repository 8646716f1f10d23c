"""PHI Workbench: governed access to protected health information.

`%load_ext workbench` registers the `%phi` / `%%phi` magics; the import of IPython happens only
inside the Jupyter adapter, so the core stays free of it.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def load_ipython_extension(ipython: Any) -> None:
    from workbench.jupyter.magics import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from workbench.jupyter.magics import unload_ipython_extension as _unload

    _unload(ipython)
