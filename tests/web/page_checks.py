"""What every page must be, whoever opens it and at whichever width (issue 17): it never scrolls
sideways and nothing sticks out of its box (a wide table may scroll inside its own box); on a
phone the header stays at most three lines; it shows no internal word (a rule id, a command, a
spec section) and no number without the Vietnamese grouping (1.140); axe-core finds no serious
or critical violation. Used by `test_pages` (every page of every account), by the journeys (each
page as they reach it) and by `test_numbers_browser` (a round of 1.140 units)."""
from __future__ import annotations

import re

from harness import KEEP_PICTURES

#: Whether every page a test reaches is saved as a picture (test-output/web/) for a person to
#: look at (`harness.KEEP_PICTURES`: not in CI). The ~150 full-length pictures are a twentieth
#: of the browser's work in the suite (issue 21); a failing web test in CI still leaves a
#: picture of each page it had open (tests/web/conftest.py). Nothing is asserted on the
#: pictures: what they would show is checked by `page_problems`.
KEEP_SHOTS = KEEP_PICTURES


def screenshot(page, path, *, wrong: bool = False) -> None:
    """The whole page, full length, into `path` (a .png) — unless `KEEP_SHOTS` is off and the
    page was not found `wrong`."""
    if KEEP_SHOTS or wrong:
        page.screenshot(path=str(path), full_page=True)

#: the two screens every page and every journey is tried at: an office's, and a phone's
SCREENS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}

#: A journey is tried at each width once, each time on another database (not at every width on
#: every database): what a page looks like does not depend on the database, and every request
#: the journeys make is also made on both databases by the server suite (tests/server/). Halves
#: the browser's share of the suite's time (issue 21).
WIDTH_AND_DATABASE = [("sqlite", "1366"), ("postgresql", "390")]


def each_width_once(server_fixture: str = "demo_server"):
    """Parametrize a journey over `WIDTH_AND_DATABASE` (the server fixture and `screen`)."""
    import pytest
    return pytest.mark.parametrize((server_fixture, "screen"), WIDTH_AND_DATABASE, indirect=True)

#: words a user must never read: rule ids, commands, spec references, raw codes
INTERNAL = [re.compile(p) for p in (
    r"\bR-[A-Z0-9]+(?:-[A-Z0-9]+)*\b", r"flask\s+--app", r"kiemdiem\s+\w", r"\bSPEC\b",
    r"§\s*\d", r"Authorization", r"Bearer", r"\bXL_[A-Z]", r"\bTT_[A-Z]", r"mã 400",
    r"Traceback")]

#: elements of <main> whose right edge passes the right edge of their card or of <main>, outside
#: a box that scrolls (or clips) sideways on purpose
_STICKING_OUT = """() => {
  const main = document.querySelector('main');
  if (!main) return [];
  const out = [];
  const scrolls = el => { for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX; if (o !== 'visible') return true; } return false; };
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || scrolls(el)) continue;
    const box = el.parentElement.closest('.card, fieldset, main');
    const b = box.getBoundingClientRect();
    if (r.right > b.right + 1 || r.left < b.left - 1) {
      const cls = typeof el.className === 'string' && el.className ?
        '.' + el.className.split(' ')[0] : '';
      const px = x => Math.round(x);
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls} ` +
               `${px(r.left)}–${px(r.right)} px in ${px(b.left)}–${px(b.right)}`);
    }
    if (out.length >= 3) break;
  }
  return out;
}"""


#: a whole number of four digits or more written without the Vietnamese grouping (1140, not
#: 1.140): not part of a word (a code, a token), a date (02/12/2026), a time or a grouped number
_UNGROUPED = re.compile(r"(?<![\w.,/:])\d{4,}(?![\w]|[.,/:]\d)")
#: a telephone number as people write it, in groups or not (0263 3877 123, 0912.345.678,
#: +84 263 3877 123): its digits are not a quantity
_PHONE = re.compile(r"(?<![\w.,/:])(?:\+84[ .]?|0)\d{1,4}(?:[ .\-]\d{2,4}){0,3}(?![\w])")


def vn_numbers(page) -> list[str]:
    """Every number the page shows — text, the choices of a list, a chart's spoken label — is
    grouped the Vietnamese way. Years (1900–2100) and telephone numbers pass."""
    text = page.locator("body").inner_text() + "\n" + "\n".join(page.evaluate(
        "() => [...document.querySelectorAll('option, [aria-label], [title]')]"
        ".map(e => e.tagName === 'OPTION' ? e.text : (e.getAttribute('aria-label') || '') + ' '"
        " + (e.title || ''))"))
    text = _PHONE.sub(lambda m: "0" * len(m.group(0)), text)
    found = []
    for m in _UNGROUPED.finditer(text):
        n = m.group(0)
        if (len(n) == 4 and 1900 <= int(n) <= 2100) or n.startswith("0"):
            continue
        around = text[max(0, m.start() - 50):m.end() + 20].replace("\n", " ")
        found.append(f"writes «{n}» without grouping: …{around}…")
    return found[:5]


def layout(page, width: str) -> list[str]:
    """No sideways scroll, nothing sticking out; on a phone a header of at most three lines."""
    found = []
    sw, iw = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if sw > iw:
        found.append(f"the page is {sw} px wide in a {iw} px window")
    for what in page.evaluate(_STICKING_OUT):
        found.append(f"sticks out of its box: {what}")
    if int(width) < 640:
        hh = page.evaluate(
            "document.querySelector('header.top').getBoundingClientRect().height")
        if hh > 110:
            found.append(f"the header is {hh} px high on a phone")
    return found


def plain_words(page) -> list[str]:
    """No internal word in what the page shows — nor in a tooltip (`title`) nor a placeholder."""
    text = page.locator("body").inner_text() + "\n" + "\n".join(page.evaluate(
        "() => [...document.querySelectorAll('[title], [placeholder]')]"
        ".map(e => (e.title || '') + ' ' + (e.placeholder || ''))"))
    found = []
    for rx in INTERNAL:
        m = rx.search(text)
        if m is not None:
            around = text[max(0, m.start() - 60):m.end() + 60].replace("\n", " ")
            found.append(f"shows «{m.group(0)}»: …{around}…")
    return found


_AXE = []


def accessible(page) -> list[str]:
    """axe-core: no serious or critical violation (labels, contrast, landmarks, names)."""
    if not _AXE:
        from axe_playwright_python.sync_playwright import Axe
        _AXE.append(Axe())
    res = _AXE[0].run(page)
    return [f"{v['id']} ({v['impact']}, {len(v['nodes'])}×: {v['nodes'][0]['target']} "
            f"{v['nodes'][0].get('failureSummary', '')[:160]!r})"
            for v in res.response["violations"] if v.get("impact") in ("serious", "critical")]


def page_problems(page, width: str) -> list[str]:
    """Everything wrong with the page as shown, each line naming the address and the width."""
    where = f"{page.url} at {width} px"
    return [f"{where}: {p}" for f in (layout, plain_words, vn_numbers, accessible)
            for p in (f(page, width) if f is layout else f(page))]


def assert_good_page(page, width: str) -> None:
    problems = page_problems(page, width)
    assert not problems, "\n".join(problems)
