"""Reading dirmaild's metrics endpoint as Prometheus does: GET /metrics, the text
format 0.0.4 parsed into {(name, labels): value}."""
import re
import urllib.request

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def scrape_text(port, host="127.0.0.1"):
    with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=10) as r:
        assert r.status == 200, r.status
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers["Content-Type"]
        return r.read().decode()


def parse(text):
    """{(name, frozenset of (label, value)): float} from the text format."""
    values = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        assert (m.group(1), labels) not in values, f"series given twice: {line!r}"
        values[(m.group(1), labels)] = float(m.group(3))
    return values


def scrape(port, host="127.0.0.1"):
    return parse(scrape_text(port, host))


def value(samples, name, **labels):
    """A sample's value; 0 for a series not there yet (nothing counted)."""
    return samples.get((name, frozenset(labels.items())), 0.0)
