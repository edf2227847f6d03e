"""Waiting, within a bounded time, for what a server does after its reply."""
import time


def wait_for(predicate, timeout=30, interval=0.1):
    """True once predicate() is true, False if it is still false after `timeout` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
