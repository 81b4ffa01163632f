"""Every file of the hostile corpus, and of the second round made differently (issue 14), uploaded
to the real server (gunicorn, two workers) on SQLite and PostgreSQL: a clear Vietnamese 4xx (or,
for a genuine workbook with bad content, 201 with its findings), the server keeps answering,
worker memory stays under 400 MB, and nothing already stored changes (issue 7)."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from harness import unit_workbook
from hostile_corpus import corpus
from hostile_corpus_2 import corpus2

VIETNAMESE = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
MEMORY_CAP_MB = 400


def worker_peak_rss_mb(master_pid: int) -> float:
    peak = 0
    for child in Path(f"/proc/{master_pid}/task").glob("*/children"):
        for pid in child.read_text().split():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
    return peak


def snapshot(live):
    files = sorted((p.name, p.stat().st_size)
                   for p in (live.data_dir / "uploads").rglob("*.xlsx"))
    r = requests.get(f"{live.url}/api/v1/rounds/{live.round_id}/status",
                     headers={"Authorization": f"Bearer {live.collector_token}"}, timeout=30)
    assert r.status_code == 200
    return files, r.json()


def test_hostile_corpus_against_the_server(live_server):
    ok = live_server.upload("X01", unit_workbook("X01", 1)[0])
    assert ok.status_code == 201
    before_files, before_status = snapshot(live_server)
    for name, fname, data, expect in corpus() + corpus2():
        r = live_server.upload("X02", data, fname)
        assert r.status_code < 500, (name, r.status_code, r.text[:300])
        body = r.json()
        if expect == "reject":
            assert 400 <= r.status_code < 500, (name, r.status_code)
            assert set(body["message"].lower()) & VIETNAMESE, (name, body)
            assert body["error"], name
        else:
            # a readable workbook of ours is stored with its findings, or refused as another
            # unit's / another year's workbook
            assert r.status_code in (201, 403, 422), (name, r.status_code, body)
        # the server keeps answering, and the good submission is untouched
        health = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=10)
        assert health.status_code == 200, name
    files, status = snapshot(live_server)
    assert set(before_files) <= set(files)
    x01 = lambda st: [u for u in st["units"] if u["code"] == "X01"]  # noqa: E731
    assert x01(before_status)[0]["submitted"] and x01(status) == x01(before_status)
    peak = worker_peak_rss_mb(live_server.proc.pid)
    assert 0 < peak < MEMORY_CAP_MB, f"worker peak RSS {peak:.0f} MB"
    # the unit's annotated copy, four times at once: made once, kept, answered quickly
    sub = x01(status)[0]["submission_id"]
    url = f"{live_server.url}/api/v1/submissions/{sub}/annotated.xlsx"
    auth = {"Authorization": f"Bearer {live_server.tokens['X01']}"}
    t = time.monotonic()
    with ThreadPoolExecutor(4) as ex:
        got = list(ex.map(lambda _: requests.get(url, headers=auth, timeout=60), range(4)))
    assert all(r.status_code == 200 for r in got) and len({r.content for r in got}) == 1
    assert time.monotonic() - t < 20
    assert list((live_server.data_dir / "annotated").rglob("*.xlsx"))
