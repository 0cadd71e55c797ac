"""Screenshots of chosen report figures at desktop and phone widths (headless Chromium).

Usage: python docs/screenshots/shoot.py LABEL [STEM ...]; writes docs/screenshots/LABEL/<lang>-<stem>-<width>.png
from reports/<lang>/report.html.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def main(label: str, stems: list[str]) -> None:
    out = ROOT / "docs" / "screenshots" / label
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for lang in ("en", "de"):
            for width in (1280, 390):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto((ROOT / "reports" / lang / "report.html").as_uri())
                for stem in stems:
                    # the desktop drawing or its phone variant, whichever the page shows
                    sel = f"svg:has(> g#{stem}-figure_1), svg:has(> g#{stem}-narrow-figure_1)"
                    svg = page.locator(sel).locator("visible=true").first
                    svg.scroll_into_view_if_needed()
                    svg.screenshot(path=str(out / f"{lang}-{stem}-{width}.png"))
                page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or ["troops", "rounds_per_container", "oil_runrate"])
