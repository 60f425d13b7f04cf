"""A seller's page on another origin calls the batch check from Chromium: the browser's CORS
preflight (a JSON body, an API key) and the POST both pass, and the page reads the answer."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.public.public_data import publish_sample
from tracker.apikeys.services import apikey_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOP_PAGE = b"<!doctype html><html lang=en><title>A seller's shop</title><p>Checkout</p></html>"
# Runs in the shop's page, so the browser applies CORS to it as to the shop's own script.
FETCH_CHECK = """async ([url, headers, items]) => {
    const response = await fetch(url, {method: "POST", headers, body: JSON.stringify({items})});
    return {status: response.status, body: await response.json()};
}"""


class ShopPage(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(SHOP_PAGE)))
        self.end_headers()
        self.wfile.write(SHOP_PAGE)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def shop():
    """A second loopback HTTP server: the seller's site, another origin than the live server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ShopPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def check_from(page, shop, live_server, headers: dict) -> dict:
    page.goto(shop + "/checkout")
    items = [{"zip": "92101", "category": "leaf"}, {"zip": "73301"}]
    return page.evaluate(FETCH_CHECK, [live_server.url + "/api/v1/check", headers, items])


@pytest.mark.parametrize("keyed", [False, True], ids=["anonymous", "api-key"])
def test_a_page_on_another_origin_reads_the_batch_check(live_server, page, shop, keyed):
    publish_sample()
    headers = {"Content-Type": "application/json"}
    if keyed:
        key = apikey_create(actor=None, name="Leaf & Co", contact="ops@leaf.example")
        headers["Authorization"] = f"Bearer {key.plain}"

    answer = check_from(page, shop, live_server, headers)

    assert answer["status"] == 200
    san_diego, austin = answer["body"]["results"]
    assert san_diego["zip5"] == "92101" and san_diego["rules"]["leaf"]["rule"] == "banned"
    assert austin["zip5"] == "73301" and set(austin["rules"]) == {
        "leaf",
        "extract",
        "7oh",
        "synthetic",
    }


def test_a_page_on_another_origin_reads_why_its_key_was_refused(live_server, page, shop):
    headers = {"Content-Type": "application/json", "Authorization": "Bearer kt_unknown"}
    answer = check_from(page, shop, live_server, headers)
    assert answer["status"] == 401 and answer["body"]["error"]["code"] == "invalid_api_key"
