"""Where the harness finds the project and keeps what it generates."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
CACHE = ROOT / ".cache" / "bench"
ARTIFACTS = ROOT / "test-artifacts"
