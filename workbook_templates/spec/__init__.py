"""The form sets as data: the single definition every other part reads."""
from __future__ import annotations

from functools import cache

from . import bao_cao_nam, so_ket_quy_dinh
from .model import Cell, Choice, FormSet, SheetSpec  # noqa: F401

META_SHEET = "_meta"


@cache
def form_sets() -> dict[str, FormSet]:
    return {m.ID: m.build_spec() for m in (bao_cao_nam, so_ket_quy_dinh)}


def get_form_set(template_id: str) -> FormSet:
    return form_sets()[template_id]
