"""Where the data directories are: grammar/, commands/, tables/, screens/, fixtures/, examples/, procedures/.

In a source checkout (and an editable install) they sit at the top of the repository,
beside the package; an installed wheel carries them inside the package under _data/.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The directory `name` (e.g. "grammar"), installed copy first, then the checkout."""
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"idrs-sim data directory {name!r} is missing from this installation")


def data_file(name: str, *parts: str) -> Path:
    return data_dir(name).joinpath(*parts)
