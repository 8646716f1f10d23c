"""One typed settings object: defaults, help text, environment and workspace-file overrides.

Secrets are never stored here, only referenced (a file path or an environment variable name).
The kernel exposes the same fields through traitlets (`%config Phi.display_limit = 50`).
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from workbench.errors import BadInput


def _meta(help_text: str) -> dict[str, str]:
    return {"help": help_text}


@dataclass(frozen=True)
class Settings:
    """Workbench settings; read by `Settings.load()` from defaults, `settings.toml`, then the environment."""

    home: Path = field(
        default_factory=lambda: Path(os.environ.get("WORKBENCH_HOME") or Path.home() / ".phi-workbench"),
        metadata=_meta("Workspace folder (env WORKBENCH_HOME); holds warehouse, ledger, keys, session."),
    )
    session_hours: float = field(
        default=8.0, metadata=_meta("Hours a login stays valid before automatic logoff.")
    )
    display_limit: int = field(
        default=100, metadata=_meta("Rows shown by a %%phi cell (the -o variable gets all).")
    )
    lock_wait_seconds: float = field(
        default=30.0, metadata=_meta("How long to wait for another process holding the warehouse file.")
    )
    ledger_busy_ms: int = field(
        default=10_000,
        metadata=_meta("How long a ledger append waits for other writers, in ms; then the operation fails."),
    )
    ledger_synchronous: str = field(
        default="NORMAL",
        metadata=_meta(
            "SQLite durability of ledger appends: NORMAL (an appended entry survives the process being "
            "killed; a power loss can drop entries appended since the last checkpoint) or FULL "
            "(fsync on every append: nothing acknowledged is lost, appends are much slower)."
        ),
    )
    ledger_checkpoint_entries: int = field(
        default=1000,
        metadata=_meta(
            "A process writes a signed ledger checkpoint after this many appends (0: never by count)."
        ),
    )
    ledger_checkpoint_seconds: float = field(
        default=60.0,
        metadata=_meta(
            "...and within this many seconds of an append, also when idle (0: no timer); every process "
            "that appended also writes one when it exits."
        ),
    )
    ledger_sign_checkpoints: bool = field(
        default=True,
        metadata=_meta(
            "Whether processes that append sign checkpoints themselves; false when another account "
            "runs `workbench ledger checkpoint` (docs/ledger.md, threat model)."
        ),
    )
    ledger_signing_key: str = field(
        default="",
        metadata=_meta(
            "Checkpoint signing key: empty for <ledger_verifier_keys>/signing.key (created 0600 on "
            "first use), a path to a key file, or env:NAME for an environment variable holding it."
        ),
    )
    ledger_verifier_keys: str = field(
        default="",
        metadata=_meta(
            "Folder of trusted checkpoint public keys (*.vkey); empty for $WORKBENCH_HOME/keys/ledger."
        ),
    )
    witness_dir: str = field(
        default="",
        metadata=_meta(
            "Folder of the witness file `checkpoints` (every signed checkpoint, one JSON line each); "
            "empty for $WORKBENCH_HOME/witness. Another disk or account keeps it out of reach."
        ),
    )
    query_timeout_seconds: float = field(
        default=300.0, metadata=_meta("A governed query running longer than this is stopped.")
    )
    external_schemas: tuple[str, ...] = field(
        default=("export", "external"),
        metadata=_meta("Schemas whose tables are outside the covered entity (business associates)."),
    )

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def ledger_path(self) -> Path:
        return self.home / "ledger.sqlite"

    @property
    def catalog_path(self) -> Path:
        return self.home / "catalog.json"

    @property
    def session_path(self) -> Path:
        return self.home / "session.json"

    @property
    def policy_path(self) -> Path:
        return self.home / "policy.toml"

    @property
    def secret_path(self) -> Path:
        return self.home / "keys" / "workspace.key"

    @property
    def ledger_verifier_dir(self) -> Path:
        return self._under_home(self.ledger_verifier_keys, self.home / "keys" / "ledger")

    @property
    def witness_path(self) -> Path:
        """The witness folder (the file in it is `checkpoints`)."""
        return self._under_home(self.witness_dir, self.home / "witness")

    def _under_home(self, configured: str, default: Path) -> Path:
        if not configured:
            return default
        path = Path(configured).expanduser()
        return path if path.is_absolute() else self.home / path

    @classmethod
    def load(cls, **overrides: object) -> Settings:
        """Defaults, then `$WORKBENCH_HOME/settings.toml`, then explicit overrides."""
        base = cls()
        if "home" in overrides:
            base = replace(base, home=Path(str(overrides["home"])))
        file = base.home / "settings.toml"
        values: dict[str, object] = {}
        if file.exists():
            try:
                values = tomllib.loads(file.read_text(encoding="utf-8")).get("workbench", {})
            except tomllib.TOMLDecodeError as exc:
                raise BadInput(f"{file} is not valid TOML ({exc}); fix or delete it.") from None
        values.update(overrides)
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise BadInput(f"Unknown setting {unknown[0]!r} in {file}; see `workbench --help` for settings.")
        coerced: dict[str, object] = {}
        for name, value in values.items():
            if name == "home":
                coerced[name] = Path(str(value))
            elif name == "external_schemas":
                coerced[name] = tuple(str(v) for v in value)  # type: ignore[attr-defined]
            else:
                coerced[name] = type(getattr(base, name))(value)
        return replace(base, **coerced)  # type: ignore[arg-type]

    def ensure_home(self) -> Path:
        """Create the workspace folder (mode 0700) on first use."""
        self.home.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(PermissionError):
            os.chmod(self.home, 0o700)
        return self.home
