"""Small helpers for driving anskaf in Chromium and checking each page with axe-core."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


def assert_accessible(page: Page) -> None:
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    assert not violations, f"axe-core violations on {page.url}:\n{results.generate_report()}"


def log_in(page: Page, base_url: str, username: str, password: str = "demo") -> None:
    page.goto(f"{base_url}/log-ind/")
    assert_accessible(page)
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Mine opgaver", level=1)).to_be_visible()


def log_out(page: Page) -> None:
    page.locator("header .additional-info").get_by_role("button", name="Log ud").click()
    expect(page.get_by_role("heading", name="Log ind", level=1)).to_be_visible()


def step(page: Page, number: int):
    section = page.locator(f"#trin-{number}")
    fold = page.locator(f"details.anskaf-phase-fold:has(#trin-{number})")
    if fold.count() and fold.get_attribute("open") is None:
        fold.locator("summary").first.click()  # a phase nothing waits in is folded (ADR 0020)
    details = section.locator("details.anskaf-step-details")
    if details.get_attribute("open") is None:
        # A closed step's body is fetched (htmx) when it is opened: wait for it.
        details.locator("summary").first.click()
        expect(section.locator(".anskaf-step-body .anskaf-description")).to_be_visible()
    return section


def expect_feedback(page: Page, number: int, text: str) -> None:
    alert = page.locator(f"#trin-{number} [data-autofocus]")
    expect(alert).to_contain_text(text)
    expect(alert).to_be_focused()


def upload_files(page: Page, number: int, type_label: str, files: list[tuple[str, bytes]]) -> None:
    """Upload files on a step through its form (with JavaScript: XHR with progress, reload)."""
    section = step(page, number)
    # The last upload's message would satisfy the wait below before the page reloads.
    page.evaluate("document.querySelectorAll('.anskaf-messages').forEach(e => e.remove())")
    section.get_by_label("Dokumenttype").select_option(label=type_label)
    section.get_by_label(f"Filer til trin {number}").set_input_files(
        [{"name": name, "mimeType": "application/octet-stream", "buffer": content}
         for name, content in files])
    section.get_by_role("button", name=f"Upload filer til trin {number}").click()
    # The message comes with the reloaded page (never before), so the next step acts on it.
    expect(page.locator(".anskaf-messages")).to_contain_text(f"Uploadet til trin {number}")


def upload_missing_documents(page: Page, number: int) -> None:
    """Upload a small PDF for each document type the step marks as missing."""
    pdf = b"%PDF-1.4\n%browser\n%%EOF\n"
    section = step(page, number)
    for label in section.get_by_label("Dokumenttype").locator("option").all_inner_texts():
        if label.endswith(" (mangler)"):
            upload_files(page, number, label, [(label.removesuffix(" (mangler)") + ".pdf", pdf)])
            section = step(page, number)
