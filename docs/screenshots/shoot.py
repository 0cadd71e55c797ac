"""Screenshots of the reports at desktop and phone widths (headless Chromium).

Usage:
  python docs/screenshots/shoot.py LABEL [STEM ...]   chosen figures: LABEL/<lang>-<stem>-<width>.png
  python docs/screenshots/shoot.py LABEL --top        the top of each report and its key table:
                                                      LABEL/<lang>-top-<width>.png, LABEL/<lang>-key-<width>.png
from reports/<lang>/report.html; LABEL is a folder under docs/screenshots (e.g. top/before).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
#: How much of the top of a report a --top screenshot shows, by window width (CSS px).
TOP_HEIGHT = {1280: 1500, 390: 2200}


def main(label: str, stems: list[str]) -> None:
    out = ROOT / "docs" / "screenshots" / label
    out.mkdir(parents=True, exist_ok=True)
    top = stems == ["--top"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for lang in ("en", "de"):
            for width in (1280, 390):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto((ROOT / "reports" / lang / "report.html").as_uri())
                if top:
                    height = min(TOP_HEIGHT[width], page.evaluate("document.documentElement.scrollHeight"))
                    page.screenshot(path=str(out / f"{lang}-top-{width}.png"), full_page=True,
                                    clip={"x": 0, "y": 0, "width": width, "height": height})
                    table = page.locator("table").first
                    table.scroll_into_view_if_needed()
                    table.screenshot(path=str(out / f"{lang}-key-{width}.png"))
                for stem in [] if top else stems:
                    # the desktop drawing or its phone variant, whichever the page shows
                    sel = f"svg:has(> g#{stem}-figure_1), svg:has(> g#{stem}-narrow-figure_1)"
                    svg = page.locator(sel).locator("visible=true").first
                    svg.scroll_into_view_if_needed()
                    svg.screenshot(path=str(out / f"{lang}-{stem}-{width}.png"))
                page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or ["troops", "rounds_per_container", "oil_runrate"])
