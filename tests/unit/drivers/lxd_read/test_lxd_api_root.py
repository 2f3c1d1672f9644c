"""The driver's project-less API nodes start where pylxd's own client does, for a socket and for HTTPS."""

import pytest

pylxd = pytest.importorskip("pylxd")

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.connection import (  # noqa: E402
    api_root,
    resolve_address,
)


class Answer:
    status_code = 200
    headers = {}

    def json(self):
        return {"type": "sync", "metadata": {"api_extensions": ["projects"], "auth": "trusted"}}


class Session:
    """Answers the one GET the client makes when it is opened, and remembers where it went."""

    def __init__(self):
        self.urls = []

    def get(self, url, **kwargs):
        self.urls.append(url)
        return Answer()


@pytest.mark.parametrize("kind", ["socket", "https"])
def test_api_root_is_the_url_pylxd_opens(tmp_path, kind):
    if kind == "socket":
        socket = tmp_path / "lxd dir" / "unix.socket"
        socket.parent.mkdir()
        socket.write_text("")
        address = resolve_address(f"unix:{socket}")
    else:
        address = "https://lxd-01.example.com:8443/"
    session = Session()
    pylxd.Client(endpoint=address, session=session, project="vms")
    assert session.urls == [api_root(address)]
