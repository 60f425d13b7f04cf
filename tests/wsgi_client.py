"""Django's test client, with every request going through tracker.wsgi.application as a WSGI
server would send it: the public fast path, then Django. Django's own client never reaches
tracker/wsgi.py, and so never the fast path; unlike it, this one enforces CSRF.
"""

from functools import partial

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.test import Client

from tracker import wsgi


class WsgiClient(Client):
    def request(self, **request):
        environ = self._base_environ(**request)
        sent = {}

        def start_response(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers

        # As Django's test client does: a request must not close the test's transaction.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = wsgi.application(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                getattr(result, "close", lambda: None)()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        response = HttpResponse(body, status=int(sent["status"].split()[0]))
        del response["Content-Type"]
        for name, value in sent["headers"]:
            response.headers[name] = value
        response.header_list = sent["headers"]  # in order, repeats kept
        response.json = partial(self._parse_json, response)
        if "Location" in response:
            response.url = response["Location"]
        return response


@pytest.fixture
def wsgi_client():
    return WsgiClient()
