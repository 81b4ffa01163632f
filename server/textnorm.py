"""Comparing what people type: unit codes and names after Unicode normalisation.

The same «ĐBLỘC» arrives composed (NFC, what Windows keyboards send) or decomposed (NFD, what
macOS and some Vietnamese input methods send: «Ô» + a combining dot). Codes are compared after
NFC, case-insensitively (`code_key`); a search box ignores accents, «đ» and case (`fold`), so «loc
bao» finds «Lộc Bảo» whichever way either was typed.
"""
from __future__ import annotations

import unicodedata


def nfc(text) -> str:
    return unicodedata.normalize("NFC", str(text or ""))


def code_key(code) -> str:
    """A unit code as compared: NFC, outer spaces dropped, upper case."""
    return nfc(code).strip().upper()


def fold(text) -> str:
    """Text for a search: no accents, «đ» as «d», case-folded, spaces collapsed."""
    s = unicodedata.normalize("NFD", str(text or ""))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("đ", "d").replace("Đ", "D")
    return " ".join(s.casefold().split())
