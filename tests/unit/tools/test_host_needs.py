"""tools/host_needs: reading commands out of shell and Python text, and judging them against dpkg's view."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tools" / "host_needs"))

import check  # noqa: E402
import debian  # noqa: E402
import python_commands  # noqa: E402
import shell_commands  # noqa: E402


def names(found):
    return [command for _line, command in found]


class TestShell:
    def test_first_words_after_operators_and_keywords(self):
        text = "pgrep -x virtlogd >/dev/null || virtlogd -d\nif grep -q x f; then mount -t y; fi\n"
        assert names(shell_commands.commands_in(text)) == ["pgrep", "virtlogd", "grep", "mount"]

    def test_substitutions_in_double_quotes_but_not_in_single_quotes(self):
        text = 'x="$(virsh -q uri)"\nawk \'{ print $(i + 1) }\' f\necho "$((A * 2))"\n'
        assert names(shell_commands.commands_in(text)) == ["virsh", "awk"]

    def test_comments_heredocs_and_arrays_are_not_commands(self):
        text = (
            "# run `lxd init` first\n"
            "lxd init --preseed <<YAML\nnetworks:\n- name: lxdbr0\nYAML\n"
            "PACKAGES=(\n  cloud-init sudo\n  ifupdown\n)\n"
            "isoinfo -i x\n"
        )
        assert names(shell_commands.commands_in(text)) == ["lxd", "isoinfo"]

    def test_wrappers_run_their_argument_chroot_runs_the_guests(self):
        text = 'timeout 10 lxd waitready\nexec 9>lock\nflock 9\nchroot "$ROOT" update-grub\nsudo -n ip link\n'
        assert names(shell_commands.commands_in(text)) == ["timeout", "lxd", "flock", "chroot", "ip"]

    def test_functions_variables_builtins_and_for_lists(self):
        text = (
            'log() { printf \'%s\' "$*"; }\nlog hello\n"$BIN"/tool\ncommand -v isoinfo\n'
            "for t in a b; do sfdisk -q x; done\n[[ -s f ]] && rsync a b\n"
        )
        assert names(shell_commands.commands_in(text)) == ["sfdisk", "rsync"]

    def test_makefile_recipes_expand_known_variables_and_join_continuations(self):
        text = "all:\n\t@$(BIN)/ruff check .\n\trsync -a \\\n\t  --exclude /tests/output ./ x/\n\t$(UNKNOWN)/x\n"
        assert names(shell_commands.makefile_commands(text, {"BIN": "/v/bin"})) == ["/v/bin/ruff", "rsync"]


class TestPython:
    def test_literal_argument_lists_strings_and_lookups(self):
        source = (
            "import subprocess, shutil\n"
            "subprocess.run(['isoinfo', '-i', p])\n"
            "subprocess.check_output('jq -r .x f', shell=True)\n"
            "shutil.which('virsh')\n"
            "module.run_command(['ip', 'link'])\n"
            "subprocess.run([sys.executable, '-m', 'venv'])\n"
            "subprocess.run(cmd)\n"
        )
        assert python_commands.commands_in(source) == [(2, "isoinfo"), (3, "jq"), (4, "virsh"), (5, "ip")]


STATUS = """\
Package: base-files
Status: install ok installed
Essential: yes
Priority: required

Package: app
Status: install ok installed
Depends: libfoo (>= 1), awk-impl | mawk
Recommends: helper

Package: libfoo
Status: install ok installed

Package: gawk
Status: install ok installed
Provides: awk-impl

Package: helper
Status: install ok installed

Package: byhand
Status: install ok installed

Package: removed
Status: deinstall ok config-files
"""


@pytest.fixture
def packages():
    lists = {
        "app": ["/usr/bin/app"],
        "helper": ["/bin/helper"],
        "byhand": ["/usr/bin/byhand"],
        "base-files": ["/etc/issue"],
    }
    return debian.Packages(debian.parse_status(STATUS), lists)


class TestDebian:
    def test_closure_follows_depends_recommends_alternatives_and_provides(self, packages):
        assert set(packages.closure({"app"})) == {"app", "libfoo", "gawk", "helper"}
        assert "removed" not in packages.installed

    def test_base_is_essential_and_required(self, packages):
        assert packages.base() == {"base-files"}

    def test_owner_across_merged_usr(self, packages):
        assert packages.owner("/usr/bin/helper") == "helper"
        assert packages.owner("/usr/bin/nothing") is None


class TestCheck:
    def run(self, packages, tmp_path, monkeypatch, needs, apt):
        for name in ("app", "helper", "byhand"):
            (tmp_path / name).write_text("")
            (tmp_path / name).chmod(0o755)
        monkeypatch.setenv("PATH", str(tmp_path))
        monkeypatch.setattr(packages, "owner", lambda path: Path(path).name)
        monkeypatch.setattr(check, "RUN_TIME_DIRS", ())  # tmp_path lies under /tmp
        return check.check([check.Need(what, "tests/x.py:1") for what in needs], apt, packages, tmp_path / "venv")

    def test_a_command_of_a_package_installed_by_hand_names_command_caller_and_package(
        self, packages, tmp_path, monkeypatch
    ):
        problems = self.run(packages, tmp_path, monkeypatch, ["app", "byhand"], ["app"])
        assert problems == [
            "byhand (needed by tests/x.py:1) comes from the Debian package byhand, which neither APT_PACKAGES nor "
            "what they depend on installs: add byhand to APT_PACKAGES in the Makefile"
        ]

    def test_what_a_listed_package_brings_is_enough(self, packages, tmp_path, monkeypatch):
        assert self.run(packages, tmp_path, monkeypatch, ["app", "helper"], ["app"]) == []

    def test_a_listed_package_nothing_needs_is_refused(self, packages, tmp_path, monkeypatch):
        problems = self.run(packages, tmp_path, monkeypatch, ["app"], ["app", "byhand"])
        assert len(problems) == 1 and problems[0].startswith("APT_PACKAGES installs byhand, but no command")

    def test_a_command_only_tried_is_not_a_need(self, packages, tmp_path, monkeypatch):
        assert self.run(packages, tmp_path, monkeypatch, ["app", "getfacl", "/usr/bin/file"], ["app"]) == []

    def test_a_command_missing_from_the_machine(self, packages, tmp_path, monkeypatch):
        problems = self.run(packages, tmp_path, monkeypatch, ["app", "nosuch"], ["app"])
        assert problems == ["nosuch (needed by tests/x.py:1) is not on this machine"]


def test_the_repository_itself_names_its_known_commands():
    """The static reading finds what the tools and tests really call (a reader that lost them would pass)."""
    found = {need.what for need in check.static_needs(Path("/nonexistent-venv"))}
    assert {"isoinfo", "lxc", "virsh", "debootstrap", "sfdisk", "jq", "openssl", "/usr/sbin/sshd"} <= found
