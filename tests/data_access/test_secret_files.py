"""The one reader and writer of generated secrets in the data folder (cookie key, survey secret)."""

from __future__ import annotations

import os
import stat

import pytest

from data_access import secret_files


class Refused(Exception):
    pass


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path, follow_symlinks=False).st_mode)


def test_no_file_is_no_secret(tmp_path):
    assert secret_files.read_private(tmp_path / "missing", "test key", Refused) is None


def test_a_new_secret_is_64_url_safe_characters_private_from_the_start(tmp_path):
    path = tmp_path / "deeper" / "key"
    value = secret_files.create_private(path)
    assert len(value) == 64 and set(value) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert path.read_text() == value + "\n" and _mode(path) == 0o600
    assert secret_files.read_private(path, "test key", Refused) == value
    assert secret_files.create_private(path) != value  # a second one is new, not the old one


def test_an_old_file_readable_by_others_is_tightened_when_read_and_when_overwritten(tmp_path):
    path = tmp_path / "key"
    path.write_text("  old-secret \n")
    path.chmod(0o644)
    assert secret_files.read_private(path, "test key", Refused) == "old-secret"
    assert _mode(path) == 0o600
    path.chmod(0o644)
    secret_files.create_private(path)
    assert _mode(path) == 0o600


def test_a_symlink_is_never_followed(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("not-yours")
    link = tmp_path / "key"
    link.symlink_to(target)
    with pytest.raises(Refused, match="The test key file key in the data folder cannot be read"):
        secret_files.read_private(link, "test key", Refused)
    with pytest.raises(OSError):
        secret_files.create_private(link)
    assert target.read_text() == "not-yours"


def test_a_folder_in_its_place_is_refused(tmp_path):
    (tmp_path / "key").mkdir()
    with pytest.raises(Refused, match="is not a regular file"):
        secret_files.read_private(tmp_path / "key", "test key", Refused)
