"""Merge benchmark: N realistic unit workbooks merged into one summary, against a naive loop of
pandas.read_excel (openpyxl engine) over the same files, in the same run.

    python bench/bench_merge.py 1000 [--jobs 2] [--keep DIR] [--baseline-sample K]

The unit files are made fast: the template is filled once with openpyxl using sentinel values,
then each unit's file is that package with the sentinels replaced in the sheet XML (counts) and
the shared strings (names, codes, ratings), so every file is a genuine template workbook as a
unit would send it, with its own figures. Figures vary per unit (members 12–420, chi bộ 2–25,
a few units with members not rated) and respect the rules, so every unit validates.

Printed, not asserted: wall time per phase, peak memory (max RSS of this process and of the
worker processes, from getrusage; tracemalloc is not used because it slows the timed code several
times over), and the speed ratio against pandas. Target (issue 3): 1,000 units in < 3 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbook_templates import sample  # noqa: E402
from workbook_templates.spec.domain import LEVEL_LABEL  # noqa: E402

YEAR = 2024
COUNT_NAMES = [
    "KD_PHAI_TT", "KD_DA_TT", "KD_GOIY_TT", "KD_PHAI_DV", "KD_DA_DV", "KD_MOIKN_DV",
    "KD_MIEN_DV", "KD_GOIY_DV",
    "XL_DV_TONG", "XL_DV_MOI", "XL_DV_MIEN", "XL_DV_XS", "XL_DV_TOT", "XL_DV_HT", "XL_DV_KHT",
    "XL_DV_KYLUAT", "XL_CBLD_CS_TONG", "XL_CBLD_CS_XS", "XL_CBLD_CS_TOT", "XL_CBLD_CS_HT",
    "XL_CBLD_CS_KHT",
    "XL_CBTT_TONG", "XL_CBTT_XS", "XL_CBTT_TOT", "XL_CBTT_HT", "XL_CBTT_KHT",
    "XL_TTLD_CS_TONG", "XL_TTLD_CS_XS", "XL_TTLD_CS_TOT", "XL_TTLD_CS_HT", "XL_TTLD_CS_KHT",
]
TEXT_NAMES = ["TT_DonVi", "TT_MaDonVi", "TT_XepLoai", "TT_XepLoaiCapUy"]
SENTINEL_BASE = 7_300_000


def _sentinel_workbook() -> bytes:
    """The template filled once: each count a unique number, each text a unique marker."""
    v = sample.unit_info("@@TT_DonVi@@", "@@TT_MaDonVi@@", "Huyện ủy Bảo Lâm", "DB_CS", YEAR,
                         TT_XepLoai="@@TT_XepLoai@@", TT_XepLoaiCapUy="@@TT_XepLoaiCapUy@@")
    for i, n in enumerate(COUNT_NAMES):
        v[n] = SENTINEL_BASE + i
    return sample.fill_template(v)


def _split(dg: int, rng: random.Random, share=20):
    """dg rated subjects into XS/TOT/HT/KHT with XS within the quota."""
    kht = rng.choice((0, 0, 0, 1)) if dg > 10 else 0
    ht = rng.randint(0, max(0, dg // 8))
    rest = dg - kht - ht
    tot = rest
    xs = 0
    while xs + 1 <= ((tot - 1) * share) // 100 and rng.random() < 0.9:
        xs += 1
        tot -= 1
    return xs, tot, ht, kht


def unit_figures(i: int, rng: random.Random) -> tuple[dict, dict]:
    """(counts, texts) of one plausible đảng bộ xã."""
    members = rng.randint(12, 420)
    mien = rng.randint(0, members // 15)
    moi = rng.randint(0, 3)
    dg = members - mien - moi
    xs, tot, ht, kht = _split(dg, rng)
    cb = rng.randint(2, 25)
    cbs = _split(cb, rng)
    cbld = rng.randint(5, 15)
    cl = _split(cbld, rng, share=100)
    ttld = rng.choice((0, 1))
    c = {"KD_PHAI_TT": cb + 1, "KD_DA_TT": cb + 1, "KD_GOIY_TT": 0,
         "KD_PHAI_DV": members, "KD_DA_DV": dg, "KD_MOIKN_DV": moi, "KD_MIEN_DV": mien,
         "KD_GOIY_DV": rng.randint(0, 3),
         "XL_DV_TONG": members, "XL_DV_MOI": moi, "XL_DV_MIEN": mien, "XL_DV_XS": xs,
         "XL_DV_TOT": tot, "XL_DV_HT": ht, "XL_DV_KHT": kht, "XL_DV_KYLUAT": min(kht, 1),
         "XL_CBLD_CS_TONG": cbld, "XL_CBLD_CS_XS": min(cl[0], xs), "XL_CBLD_CS_TOT": 0,
         "XL_CBLD_CS_HT": 0, "XL_CBLD_CS_KHT": 0,
         "XL_CBTT_TONG": cb, "XL_CBTT_XS": cbs[0], "XL_CBTT_TOT": cbs[1], "XL_CBTT_HT": cbs[2],
         "XL_CBTT_KHT": cbs[3],
         "XL_TTLD_CS_TONG": 1, "XL_TTLD_CS_XS": 0, "XL_TTLD_CS_TOT": 1 - ttld,
         "XL_TTLD_CS_HT": ttld, "XL_TTLD_CS_KHT": 0}
    # cán bộ cơ sở: all rated TOT except the XS ones (a part of the members row)
    c["XL_CBLD_CS_TOT"] = min(cbld - c["XL_CBLD_CS_XS"], tot)
    c["XL_CBLD_CS_TONG"] = c["XL_CBLD_CS_XS"] + c["XL_CBLD_CS_TOT"]
    level = rng.choice(("TOT", "TOT", "TOT", "HT", "XS"))
    if level == "XS" and kht:
        level = "TOT"
    t = {"TT_DonVi": f"Đảng bộ xã số {i + 1}", "TT_MaDonVi": f"XA{i + 1:05d}",
         "TT_XepLoai": LEVEL_LABEL[level], "TT_XepLoaiCapUy": LEVEL_LABEL[level]}
    return c, t


def write_units(n: int, out_dir: Path, seed: int = 2024) -> list[Path]:
    proto = _sentinel_workbook()
    zin = zipfile.ZipFile(io.BytesIO(proto))
    members = [(zi, zin.read(zi.filename)) for zi in zin.infolist()]
    sheets = {zi.filename for zi, _ in members if zi.filename.startswith("xl/worksheets/")}
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        counts, texts = unit_figures(i, rng)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for zi, data in members:
                if zi.filename in sheets:
                    for k, name in enumerate(COUNT_NAMES):
                        data = data.replace(f"<v>{SENTINEL_BASE + k}</v>".encode(),
                                            f"<v>{counts[name]}</v>".encode())
                if zi.filename in sheets or zi.filename == "xl/sharedStrings.xml":
                    # openpyxl writes inline strings; other writers use the shared table
                    for name, value in texts.items():
                        data = data.replace(f"@@{name}@@".encode(), escape(value).encode())
                z.writestr(zi, data)
        p = out_dir / f"don_vi_{i + 1:05d}.xlsx"
        p.write_bytes(buf.getvalue())
        paths.append(p)
    return paths


def _rss_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=1000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", default=None, help="write the unit files here and keep them")
    ap.add_argument("--baseline-sample", type=int, default=None,
                    help="time pandas on only K files and scale up (default: all N files)")
    args = ap.parse_args(argv)

    from workbook_templates.cli_merge import Progress, read_children
    from workbook_templates.merge import Parent, merge

    tmp = None
    if args.keep:
        out_dir = Path(args.keep)
        out_dir.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="kiemdiem-bench-")
        out_dir = Path(tmp.name)
    print(f"kiemdiem merge benchmark: {args.n} unit workbooks, {args.jobs} process(es), "
          f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    t0 = time.perf_counter()
    paths = write_units(args.n, out_dir)
    t_gen = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in paths)
    print(f"generated {len(paths)} files ({size / 1e6:.1f} MB) in {t_gen:.2f} s")

    t0 = time.perf_counter()
    children, unreadable = read_children(paths, jobs=args.jobs,
                                         progress=Progress(len(paths), "read+validate", False))
    t_read = time.perf_counter() - t0
    parent = Parent("Huyện ủy Bảo Lâm", "BL", "DB_CTCS", "Tỉnh ủy Lâm Đồng",
                    nguoi_lap="Người lập", ngay_lap=dt.date(YEAR, 12, 20))
    t1 = time.perf_counter()
    result = merge(children, parent)
    t_merge = time.perf_counter() - t1
    t2 = time.perf_counter()
    data = result.to_xlsx()
    t_write = time.perf_counter() - t2
    total = time.perf_counter() - t0
    (out_dir / "tong_hop.xlsx").write_bytes(data)
    invalid = sum(1 for c in children if not c.report.valid)
    print(f"merged: {len(result.included)} included, {len(result.skipped)} skipped "
          f"({invalid} invalid), {len(unreadable)} unreadable")
    print(f"  read + validate  {t_read:7.2f} s  ({t_read / args.n * 1000:.2f} ms/unit wall)")
    print(f"  merge            {t_merge:7.2f} s")
    print(f"  write summary    {t_write:7.2f} s")
    print(f"  TOTAL            {total:7.2f} s   (target < 3 s per 1,000 units: "
          f"{'met' if total < 3 * args.n / 1000 else 'NOT met'})")
    print(f"  merge + write alone (children already read): {t_merge + t_write:.2f} s — the "
          "server's summary works this way, from each upload's kept reading: "
          "bench/bench_summary.py measures it through the database")
    cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime + \
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    print(f"  CPU time (this process + workers, including file generation): {cpu:.2f} s; "
          f"load average now {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPU(s)")
    print(f"  peak memory (getrusage max RSS): this process "
          f"{_rss_mb(resource.RUSAGE_SELF):.0f} MB, worker processes "
          f"{_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB")
    v = result.values
    print(f"  summary: {v['XL_TCCSD_TONG']} TCCSĐ, {v['XL_DV_TONG']:,} đảng viên, "
          f"{v['XL_CBTT_TONG']:,} chi bộ trực thuộc".replace(",", "."))

    import pandas as pd
    k = args.baseline_sample or args.n
    sample_paths = paths[:k]
    t0 = time.perf_counter()
    for p in sample_paths:
        pd.read_excel(p, sheet_name=None, engine="openpyxl")
    t_pd = (time.perf_counter() - t0) * args.n / k
    scaled = f" (timed on {k} files, scaled)" if k != args.n else ""
    print(f"naive loop pandas.read_excel(sheet_name=None, engine='openpyxl'): {t_pd:.2f} s"
          f"{scaled} — reading only, no validation, one process")
    print(f"ratio: kiemdiem merge (read + validate + merge + write) is {t_pd / total:.1f}x "
          f"faster than the naive pandas read alone")
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
