"""The warehouse command line: create, generate, summary, and friendly failures."""

import pytest

from cli import main


def test_create_generate_summary(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["create", "--url", url]) == 0
    assert main(["generate", "--url", url, "--responses", "800", "--seed", "5", "--end", "2026-11-20"]) == 0
    out = capsys.readouterr().out
    assert "Generated 800 responses" in out and "pulse-demo" in out
    assert main(["generate", "--url", url, "--responses", "800"]) == 2  # refuses to mix data
    assert "--replace" in capsys.readouterr().err
    assert main(["summary", "--url", url]) == 0
    summary = capsys.readouterr().out
    assert "responses" in summary and "800" in summary and "demo data" in summary
    assert "responses from 2023-11-21 to 2026-11-20" in summary or "to 2026-11-" in summary


def test_unreachable_database_is_a_sentence_not_a_trace(capsys):
    code = main(["summary", "--url", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith("error: The feedback warehouse cannot be reached")
    assert "Traceback" not in err


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("create", "generate", "summary"):
        assert command in out
