"""ctest fixture: one dirmaild for the tests that can share it (start once per run)."""
import json
import os
import shutil
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DirmailInstance  # noqa: E402


def main():
    action, state = sys.argv[1], Path(sys.argv[2])
    if action == "start":
        if (state / "instance.json").exists():
            stop(state)
        shutil.rmtree(state, ignore_errors=True)
        inst = DirmailInstance(state)
        inst.provision()
        inst.start()
        (state / "instance.json").write_text(json.dumps(inst.describe()))
        print(f"dirmaild pid {inst.pid()} smtp {inst.smtp_port} pop3 {inst.pop3_port}")
    elif action == "stop":
        stop(state)


def stop(state):
    info = json.loads((state / "instance.json").read_text())
    try:
        os.kill(info["pid"], signal.SIGTERM)
    except ProcessLookupError:
        return
    import time
    for _ in range(300):
        try:
            os.kill(info["pid"], 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(info["pid"], signal.SIGKILL)


if __name__ == "__main__":
    main()
