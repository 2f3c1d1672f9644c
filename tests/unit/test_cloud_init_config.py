"""The cloud-init NoCloud seed files (pure)."""

import json

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.cloud_init.config import parse_cloud_init, seed_files
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

KEY = "ssh-ed25519 AAAA test@x"


def test_mapping_user_data_becomes_cloud_config_with_the_keys():
    settings = parse_cloud_init({"user_data": {"packages": ["nginx"]}, "ssh_authorized_keys": [KEY]})
    files = seed_files("web-1", settings, [])
    text = files["user-data"].decode()
    assert text.startswith("#cloud-config\n")
    assert json.loads(text.split("\n", 1)[1]) == {"packages": ["nginx"], "ssh_authorized_keys": [KEY]}
    assert json.loads(files["meta-data"]) == {"instance-id": "vmfleet-web-1", "local-hostname": "web-1"}


def test_text_user_data_passes_untouched_and_cannot_take_keys():
    settings = parse_cloud_init({"user_data": "#!/bin/sh\necho hi\n"})
    assert seed_files("a", settings, [])["user-data"] == b"#!/bin/sh\necho hi\n"
    with pytest.raises(SpecError, match="cannot be merged into a user_data text"):
        parse_cloud_init({"user_data": "#cloud-config\n", "ssh_authorized_keys": [KEY]})


def test_static_address_for_nics_with_an_ip_dhcp_for_the_others():
    nics = [
        {"name": "eth0", "mac": "52:54:00:00:00:01", "ip": "10.0.0.5", "subnet": "10.0.0.0/24"},
        {"name": "eth1", "mac": "52:54:00:00:00:02", "ip": None, "subnet": None},
    ]
    network = json.loads(seed_files("a", None, nics)["network-config"])
    assert network["ethernets"]["eth0"]["addresses"] == ["10.0.0.5/24"]
    assert network["ethernets"]["eth1"]["dhcp4"] is True
    assert network["ethernets"]["eth1"]["match"] == {"macaddress": "52:54:00:00:00:02"}


@pytest.mark.parametrize(
    "value, text",
    [
        ({"user_data": 5}, "cloud_init.user_data is of type int, neither"),
        ({"ssh_authorized_keys": "k"}, "cloud_init.ssh_authorized_keys: 'k' is not a list"),
        ({"hostnme": "x"}, "did you mean 'hostname'"),
    ],
)
def test_bad_settings_name_the_option(value, text):
    with pytest.raises(SpecError) as err:
        parse_cloud_init(value)
    assert text in str(err.value)


def test_an_ip_without_its_subnet_is_refused():
    with pytest.raises(SpecError, match="needs the NIC's subnet"):
        seed_files("a", None, [{"name": "eth0", "mac": "52:54:00:00:00:01", "ip": "10.0.0.5", "subnet": None}])
