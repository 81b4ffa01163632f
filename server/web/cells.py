"""A few cells of many uploads at once, for the pages of a large round: the reading records kept
at upload are loaded in bulk and only the wanted positions are looked up (no record decoded in
full); a missing or stale record falls back to the full reading (`intake.stored_reading`)."""
from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

from workbook_templates.reading import pick
from workbook_templates.spec import get_form_set

from ..intake import stored_reading
from ..summary import readings


@lru_cache(maxsize=64)
def _positions(form_id: str, version: str, names: tuple[str, ...]) -> tuple[int, ...] | None:
    form = get_form_set(form_id)
    if form.version != version:
        return None
    order = {n: i for i, n in enumerate(form.cells)}
    if any(n not in order for n in names):
        return None
    return tuple(order[n] for n in names)


#: (submission id, names) -> values. An upload never changes (a resubmission is a new row), so
#: what was read from it stays true; bounded, per process
_CACHE: OrderedDict = OrderedDict()
_CACHE_MAX = 50_000


def raw_cells(subs: dict, names: tuple[str, ...], which: str = "raw") -> dict:
    """key -> {name: value} for each submission of `subs` (key -> sub): as the unit typed it
    (`which="raw"`), or as the server computed and validated it (`which="values"`)."""
    out, todo = {}, {}
    for key, sub in subs.items():
        got = _CACHE.get((sub.id, names, which))
        if got is None:
            todo[key] = sub
        else:
            out[key] = got
    if todo:
        fresh = _read(todo, names, which)
        for key, vals in fresh.items():
            _CACHE[(todo[key].id, names, which)] = vals
        while len(_CACHE) > _CACHE_MAX:
            _CACHE.popitem(last=False)
        out.update(fresh)
    return out


def _read(subs: dict, names: tuple[str, ...], which: str) -> dict:
    records = readings([s.id for s in subs.values()])
    out = {}
    for key, sub in subs.items():
        rec = records.get(sub.id)
        pos = None
        if isinstance(rec, dict) and rec.get("form") and rec.get("form_version"):
            try:
                pos = _positions(rec["form"], rec["form_version"], names)
            except KeyError:
                pos = None
        got = pick(rec, pos, which) if pos is not None else None
        if got is not None:
            out[key] = dict(zip(names, got, strict=True))
            continue
        try:
            filled, report = stored_reading(sub, rec)
            full = filled.raw if which == "raw" else report.values
        except Exception:       # an unreadable file: nothing shown, the page still works
            continue
        out[key] = {n: full.get(n) for n in names}
    return out
