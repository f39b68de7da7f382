"""One error hierarchy for reviewkit.

Every error a user can meet is a :class:`ReviewkitError`. Each subclass also inherits the
builtin it refines, so ``except ValueError`` keeps working for callers that do not know
reviewkit. Messages name the file, parameter or column, the bad value, what is allowed and
the fix, in one line. ``exit_code`` is what the CLI exits with: 2 for bad input, 1 for a
failed run, 130 or 143 for a run stopped by SIGINT or SIGTERM.
"""

from __future__ import annotations


class ReviewkitError(Exception):
    """Base class of every error reviewkit raises on purpose."""

    exit_code: int = 1


class ParameterError(ReviewkitError, ValueError):
    """A run or function parameter is unknown, missing or of the wrong type or value."""

    exit_code = 2


class ConfigError(ReviewkitError, ValueError):
    """A configuration file under ``params/`` is missing, unreadable or invalid."""

    exit_code = 2


class StoreMissingError(ReviewkitError, FileNotFoundError):
    """The DuckDB store does not exist yet."""

    exit_code = 2


class DataError(ReviewkitError, ValueError):
    """Data in the store or in an input file cannot be used as it is."""

    exit_code = 2


class StoreCorruptError(DataError):
    """The store file cannot be read as a store: damaged, not DuckDB, a folder, or newer."""


class RunFailedError(ReviewkitError, RuntimeError):
    """Executing or rendering a pack failed; an earlier good pack is left untouched."""

    exit_code = 1


class StoreBusyError(RunFailedError):
    """Another process holds the store's lock (e.g. an import is writing to it)."""


class ClusterError(RunFailedError):
    """The Dask cluster of ``reviewkit batch --cluster`` cannot be reached or was lost."""


class RunInterruptedError(ReviewkitError):
    """A run stopped by SIGINT or SIGTERM; the exit code is 128 + the signal (130, 143)."""

    def __init__(self, message: str, *, signum: int) -> None:
        super().__init__(message)
        self.signum = signum
        self.exit_code = 128 + signum


class SyncConfigError(ConfigError):
    """A CRM sync cannot start: a credential, scope, object or property is wrong or missing."""


class SyncFailedError(ReviewkitError, RuntimeError):
    """A CRM sync failed on the way (network, server errors past the retry budget).

    The object being synced is rolled back; objects synced before it keep their data.
    """

    exit_code = 1


class DeliveryConfigError(ConfigError):
    """``params/delivery.yml`` is wrong: an audience, address, webhook or SMTP setting."""


class DeliveryFailedError(ReviewkitError, RuntimeError):
    """A pack could not be delivered (SMTP, a webhook, a PDF) after its retries.

    The packs themselves are built and published; only the message is missing. The batch exits
    with :data:`DELIVERY_EXIT` so that a scheduler tells it from a failed build.
    """

    exit_code = 3


class PdfUnavailableError(RunFailedError):
    """No Chromium to print a pack to PDF with (HTML delivery still works)."""


DELIVERY_EXIT = DeliveryFailedError.exit_code
