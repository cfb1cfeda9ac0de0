"""Report pages in the browser, on the demo centre's last 13 weeks: the charts load
under the pages' own Content-Security-Policy, pass axe at desktop and phone widths,
and print without the site's header and the filters."""

from __future__ import annotations

from typing import Any

from booking.seeding_history import seed_history
from tests.browser.conftest import Site, check_page, sign_in
from tests.conftest import NOW


def with_history(site: Site) -> None:
    with site.app.app_context():
        assert seed_history(NOW) > 1000


def drawn_images(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all(
        "figure.chart img", "imgs => imgs.map(i => ({w: i.naturalWidth, alt: i.alt}))"
    )


def test_staff_read_the_usage_charts_and_print_them(page, site: Site):
    with_history(site)
    sign_in(page, site, "facilities")
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("heading", name="Usage reports").wait_for()
    images = drawn_images(page)
    assert len(images) == 4
    assert all(image["w"] > 300 and len(image["alt"]) > 60 for image in images), images
    assert page.get_by_role("table", name="Share of open time booked, by day and hour").is_visible()
    check_page(page, "usage-reports")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.locator("form.filters").is_visible()
    assert page.locator("figure.chart img").first.is_visible()
    page.screenshot(path=str(_artifact("usage-reports-print")), full_page=True)
    page.emulate_media(media="screen")


def test_a_period_is_chosen_and_the_funder_report_read(page, site: Site):
    with_history(site)
    sign_in(page, site, "reception")
    page.goto(f"{site.url}/staff/reports")
    page.get_by_label("From", exact=True).fill("2026-10-01")
    page.get_by_label("To", exact=True).fill("2026-10-31")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/staff/reports?from=2026-10-01&to=2026-10-31")
    assert "1 October 2026 to 31 October 2026" in page.content()
    assert "£" not in page.content()
    page.get_by_role("link", name="Funder report").click()
    assert page.get_by_role("table", name="2026-Q4").is_visible()
    check_page(page, "funder-report")


def test_a_tenant_admin_reads_the_monthly_statement(page, site: Site):
    with_history(site)
    sign_in(page, site, "cara")  # Pennine Digital Health, an NHS tenant
    page.get_by_role("link", name="Statement").click()
    page.get_by_role("link", name="October 2026").click()  # back from November
    page.get_by_role("heading", name="Statement: October 2026").wait_for()
    assert page.get_by_role("table", name="Lines").is_visible()
    assert "Calder Diagnostics" not in page.content()
    check_page(page, "statement")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download as CSV").click()
    assert downloading.value.suggested_filename == "statement-2026-10.csv"


def _artifact(name: str) -> Any:
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
