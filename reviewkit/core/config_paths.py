"""Paths named in configuration, kept where they belong.

A profile is a file anyone can hand a team; the paths it names must not reach the rest of the
disk. A lookup file (``lookups: - file:``) is named relative to the imported file's folder and
must stay inside it: no absolute path, no ``..``, no symbolic link that leads out. A profile
given to ``--profile`` as a path must be inside the workspace (or be one that reviewkit ships).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePath

from reviewkit.errors import ConfigError, DataError


def check_lookup_name(name: str) -> str:
    """``name`` if it is a plain relative path (no ``..``), else a ``ValueError`` with the fix.

    For the profile's validator: pydantic puts the file, line and key in front of the words.
    """
    text = str(name).strip()
    pure = PurePath(text)
    if not text:
        raise ValueError("the lookup file is empty; name a file next to the imported file")
    if pure.is_absolute() or text.startswith("~") or (len(text) > 1 and text[1] == ":"):
        raise ValueError(
            f"{text!r} is an absolute path; a lookup file is named relative to the imported "
            "file's folder (e.g. accounts.csv): put the file next to the export and name it so"
        )
    if ".." in pure.parts or ".." in text.replace("\\", "/").split("/"):
        raise ValueError(
            f"{text!r} leaves the imported file's folder (..); put the lookup file next to the "
            "export (or in a folder under it) and name it relative to it"
        )
    return text


def lookup_path(imported: Path, name: str, *, profile: str) -> Path:
    """The lookup file ``name`` of a profile for the file ``imported``, confined to its folder.

    Raises
    ------
    DataError
        If the path (symbolic links followed) leads out of the imported file's folder.
    """
    folder = imported.parent.resolve()
    try:
        check_lookup_name(name)
    except ValueError as exc:
        raise DataError(f"profile {profile!r}: lookups: {exc}") from None
    path = folder / name
    if not path.resolve().is_relative_to(folder):
        raise DataError(
            f"profile {profile!r}: lookups: {name!r} leads out of {folder} (a symbolic link to "
            f"{path.resolve()}); copy the lookup file into {folder} instead of linking it"
        )
    return path


_PROFILE_NAME = re.compile(r"\w[\w.-]*")


def check_profile_name(name: str, *, option: str = "--name") -> str:
    """``name`` if it names a file in ``params/sources/`` (no folder, no ``..``).

    Raises
    ------
    ConfigError
        Naming the option, the value, what is allowed and an example.
    """
    if not _PROFILE_NAME.fullmatch(name) or ".." in name or len(name) > 100:
        raise ConfigError(
            f"{option} {name!r}: not a profile name; use letters, digits, '-', '_' and '.' "
            "(at most 100, no '..'), e.g. crm-leads: the profile is params/sources/NAME.yml"
        )
    return name


def check_profile_path(path: Path, *, workspace_root: Path, shipped: Path, option: str) -> Path:
    """``path`` if it is inside the workspace or among the shipped profiles (links followed).

    Raises
    ------
    ConfigError
        Naming the option, the path, where it leads and the fix.
    """
    real = path.resolve()
    root = workspace_root.resolve()
    if real.is_relative_to(root) or real.is_relative_to(shipped.resolve()):
        return path
    led = "" if real == path.absolute() else f" (it leads to {real})"
    raise ConfigError(
        f"{option} {str(path)!r} is outside the workspace {root}{led}; copy the profile to "
        f"{root / 'params' / 'sources'} and give its name, e.g. {option} {path.stem}"
    )
