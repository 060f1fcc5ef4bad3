"""Durable publication files: the whole snapshot tree is synced before the switch."""

from __future__ import annotations

import sys

import pytest

from warehouse import files


def _tree(root):
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "page.html").write_text("<p>x</p>")
    (root / "a" / "linked.html").hardlink_to(root / "a" / "b" / "page.html")
    return root


@pytest.mark.skipif(sys.platform != "linux", reason="syncfs(2) is Linux's")
def test_a_tree_is_synced_with_one_syncfs_on_linux(tmp_path):
    assert files._syncfs(_tree(tmp_path)) is True
    with pytest.raises(FileNotFoundError):
        files.fsync_tree(tmp_path / "missing")


def test_without_syncfs_every_file_and_folder_is_fsynced(tmp_path, monkeypatch):
    synced = []
    monkeypatch.setattr(files, "_libc", lambda: None)
    monkeypatch.setattr(files, "fsync_dir", lambda path: synced.append(path))
    files.fsync_tree(_tree(tmp_path))
    assert sorted(p.relative_to(tmp_path).as_posix() for p in synced) == [".", "a", "a/b"]
