"""Numeric settings read from the environment, refused in French when they are not numbers.

`PHARE_RETENTION_DAYS=abc` used to stop a process with Python's
"invalid literal for int()" traceback. Every numeric variable goes through
`env_number`, which names the variable, the value and what is expected.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

Number = int | float


class SettingError(ValueError):
    """A setting with a value Phare cannot use; the message is French, for whoever configures Phare."""


def env_number(name: str, default: Number, *, minimum: Number | None = None, maximum: Number | None = None,
               integer: bool = True, env: Mapping[str, str] | None = None) -> Number:
    env = os.environ if env is None else env
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    kind = "un nombre entier" if integer else "un nombre"
    bounds = ""
    if minimum is not None and maximum is not None:
        bounds = f" entre {minimum} et {maximum}"
    elif minimum is not None:
        bounds = f" d'au moins {minimum}"
    elif maximum is not None:
        bounds = f" d'au plus {maximum}"
    try:
        value: Number = int(raw) if integer else float(raw.replace(",", "."))
    except ValueError:
        raise SettingError(f"{name}={raw!r} n'est pas valide : indiquez {kind}{bounds} (défaut : {default}).") from None
    if value != value or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise SettingError(f"{name}={raw!r} n'est pas valide : indiquez {kind}{bounds} (défaut : {default}).")
    return value
