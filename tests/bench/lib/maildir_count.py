"""Counts delivered messages, so that no server is credited for mail it accepted but never delivered."""
import os


def count_messages(folder, subfolders=("new", "cur")):
    """Files in every maildir-style new/ or cur/ folder below FOLDER."""
    total = 0
    for dirpath, _, filenames in os.walk(folder):
        if os.path.basename(dirpath) in subfolders:
            total += len(filenames)
    return total


def count_files(folder, ignore_suffix=".lock"):
    """Files below FOLDER but lock files (a queue that should be empty once delivery is done)."""
    total = 0
    for _, _, filenames in os.walk(folder):
        total += sum(1 for name in filenames if not name.endswith(ignore_suffix))
    return total
