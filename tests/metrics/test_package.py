"""The metrics package stays pure: importable without Streamlit, SQLAlchemy or a database."""

import subprocess
import sys
from pathlib import Path

import metrics


def test_public_api_is_exported() -> None:
    for name in metrics.__all__:
        assert hasattr(metrics, name), name


def test_import_pulls_in_no_ui_or_database_library() -> None:
    # run in a fresh interpreter: other test folders may already have imported streamlit here
    check = (
        "import sys, metrics; "
        "bad = [m for m in ('streamlit', 'sqlalchemy', 'numpy', 'scipy') if m in sys.modules]; "
        "sys.exit(str(bad) if bad else 0)"
    )
    repo_root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", check], check=True, cwd=repo_root)
