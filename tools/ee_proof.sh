#!/usr/bin/env bash
# Proves the execution-environment declaration (meta/execution-environment.yml, meta/ee-requirements.txt,
# bindep.txt) without the EE's base image, which cannot be pulled here:
#   1. builds the collection tarball and installs it into an empty collections path;
#   2. asks `ansible-builder introspect` what an EE build would install, from that installed copy (so a file
#      left out of the tarball by build_ignore fails here, as it would in ansible-builder);
#   3. checks the introspected system packages (dpkg names) are on this machine, and the introspected Python
#      requirements are exactly what the plugins import (tools/ee_imports.py);
#   4. builds a venv with no system site packages from ansible-core and those requirements only;
#   5. with that venv and that collections path alone, composes on the local libvirtd (a PXE VM, left shut off)
#      and on the local LXD (a container from vmfleet-test/debian12), and removes both (tools/ee_proof.yml);
#   6. checks that docs/examples/execution-environment.yml is accepted by `ansible-builder create`.
# Needs the daemons and the LXD test image (make daemons test-image); `make ee-proof` sees to both. Like the
# integration tests it registers and removes the local libvirtd's VM host policy. Fails naming what is missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEV_BIN=${DEV_BIN:-$ROOT/.venv/bin}
PYTHON=${PYTHON:-/usr/bin/python3}
WORK=$ROOT/.build/ee-proof
EE_VENV=$WORK/venv
COLLECTIONS=$WORK/collections
# QEMU (libvirt-qemu) must reach the pool directory; the integration tests' pools live under the same root.
POOL_PATH=/var/lib/libvirt/vmfleet-test/ee-proof
LXD_PROJECT=vmfleet-test-ee
START=$SECONDS
# `make` exports the checkout's copy under .build (PYTHONPATH, ANSIBLE_COLLECTIONS_PATH, ANSIBLE_CONFIG): none of
# it may stand in for the tarball's installed copy.
unset PYTHONPATH ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false

step() { printf 'ee-proof [%4ss] %s\n' $((SECONDS - START)) "$*"; }
fail() {
  echo "ee-proof: FAILED: $*" >&2
  exit 1
}

# What the play makes, removed whatever happened (the play removes it itself; this catches a failed run).
cleanup() {
  virsh -q -c qemu:///system destroy vmft-ee-pxe >/dev/null 2>&1 || true
  virsh -q -c qemu:///system undefine vmft-ee-pxe --nvram --remove-all-storage >/dev/null 2>&1 || true
  if virsh -q -c qemu:///system pool-info vmfleet-test-ee >/dev/null 2>&1; then
    for volume in $(virsh -q -c qemu:///system vol-list vmfleet-test-ee 2>/dev/null | awk '{print $1}'); do
      virsh -q -c qemu:///system vol-delete "$volume" --pool vmfleet-test-ee >/dev/null 2>&1 || true
    done
    virsh -q -c qemu:///system pool-destroy vmfleet-test-ee >/dev/null 2>&1 || true
    virsh -q -c qemu:///system pool-undefine vmfleet-test-ee >/dev/null 2>&1 || true
  fi
  rm -rf "$POOL_PATH"
  lxc delete --force --project "$LXD_PROJECT" vmft-ee-ct >/dev/null 2>&1 || true
  lxc profile delete vmfleet-compose-lock --project "$LXD_PROJECT" >/dev/null 2>&1 || true
  lxc project delete "$LXD_PROJECT" >/dev/null 2>&1 || true
}

for tool in ansible-galaxy ansible-builder bindep; do
  [ -x "$DEV_BIN/$tool" ] || fail "$DEV_BIN/$tool is missing (make venv installs it from requirements/dev.txt)"
done
for tool in virsh lxc; do
  command -v "$tool" >/dev/null || fail "$tool is missing (make apt installs it)"
done
aliases=$(lxc image alias list --format csv) || fail "lxc cannot reach LXD (make daemons starts it)"
grep -q '^vmfleet-test/debian12,' <<<"$aliases" ||
  fail "the LXD image vmfleet-test/debian12 is missing (tools/build_lxd_image.sh builds it)"

step "building the collection tarball (make build)"
version=$(awk '$1 == "version:" {print $2}' "$ROOT/galaxy.yml")
tarball=$ROOT/.build/vmfleet-hosts-$version.tar.gz
if ! out=$(make -C "$ROOT" --no-print-directory build 2>&1); then
  echo "$out" >&2
  fail "make build failed"
fi
[ -f "$tarball" ] || fail "make build did not write $tarball (galaxy.yml says version $version)"

rm -rf "$WORK"
mkdir -p "$WORK"
cleanup
trap cleanup EXIT

step "installing $(basename "$tarball") into an empty collections path"
ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS "$DEV_BIN/ansible-galaxy" collection install --offline -p "$COLLECTIONS" \
  "$tarball" >"$WORK/galaxy-install.log" 2>&1 || {
  cat "$WORK/galaxy-install.log" >&2
  fail "ansible-galaxy collection install $tarball failed"
}
installed=$COLLECTIONS/ansible_collections/vmfleet/hosts
[ -f "$installed/MANIFEST.json" ] || fail "the tarball did not install to $installed"

step "ansible-builder introspect --sanitize $COLLECTIONS"
"$DEV_BIN/ansible-builder" introspect --sanitize --write-pip "$WORK/requirements.txt" \
  --write-bindep "$WORK/bindep.txt" "$COLLECTIONS"
[ -s "$WORK/requirements.txt" ] || fail "introspection found no Python requirements in the installed tarball"
[ -s "$WORK/bindep.txt" ] || fail "introspection found no system requirements in the installed tarball"

step "the introspected system packages are on this machine (bindep, dpkg names)"
for profile in "" compile; do
  # shellcheck disable=SC2086 # an empty profile is no argument
  missing=$("$DEV_BIN/bindep" -b -f "$WORK/bindep.txt" $profile 2>&1) ||
    fail "bindep${profile:+ $profile} lists packages this machine lacks: $(echo "$missing" | tr '\n' ' ')"
done

step "a venv with no system site packages, from ansible-core and the introspected requirements only"
"$PYTHON" -m venv "$EE_VENV"
grep -qx 'include-system-site-packages = false' "$EE_VENV/pyvenv.cfg" ||
  fail "$EE_VENV sees the system site packages"
# requirements/dev.txt only constrains versions (it adds no package): the same ansible-core and libvirt-python as
# the tests (libvirt-python 9.0 matches Debian 12's libvirt), and pip's cache keeps its compiled wheel.
"$EE_VENV/bin/pip" install -q --disable-pip-version-check -c "$ROOT/requirements/dev.txt" \
  ansible-core -r "$WORK/requirements.txt" >"$WORK/pip.log" 2>&1 || {
  cat "$WORK/pip.log" >&2
  fail "pip could not install ansible-core and the introspected requirements into $EE_VENV"
}
"$EE_VENV/bin/pip" freeze --disable-pip-version-check >"$WORK/freeze.txt"
echo "  installed: $(tr '\n' ' ' <"$WORK/freeze.txt")"

step "the introspected Python requirements are exactly what the plugins import"
"$EE_VENV/bin/python" "$ROOT/tools/ee_imports.py" "$installed/plugins" "$WORK/requirements.txt" \
  >"$WORK/imports.log" 2>&1 || {
  cat "$WORK/imports.log" >&2
  fail "the declared Python requirements and the plugins' imports differ (above)"
}
sed 's/^/  /' "$WORK/imports.log"

step "compose on libvirtd and LXD with that venv and that collections path only"
# A bare environment: nothing of the checkout's (PYTHONPATH, ANSIBLE_CONFIG, collections under .build) or of the
# caller's (VMFLEET_*, LXD_CONF) reaches the play; run in $WORK, which has no ansible.cfg.
(cd "$WORK" && env -i HOME="$HOME" LANG=C.UTF-8 PATH="$EE_VENV/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false ANSIBLE_NOCOLOR=1 \
  "$EE_VENV/bin/ansible-playbook" -i localhost, -c local \
  -e ansible_python_interpreter="$EE_VENV/bin/python" -e ee_python="$EE_VENV/bin/python" \
  -e libvirt_pool_path="$POOL_PATH" "$ROOT/tools/ee_proof.yml") >"$WORK/play.log" 2>&1 || {
  cat "$WORK/play.log" >&2
  fail "the compose play failed with the EE's requirements alone (log above, also in $WORK/play.log)"
}
grep -E '^(TASK|ok|changed|localhost)' "$WORK/play.log" | sed 's/^/  /'
domains=$(virsh -q -c qemu:///system list --all --name)
! grep -qx vmft-ee-pxe <<<"$domains" || fail "the play left the libvirt VM vmft-ee-pxe behind"
containers=$(lxc list --project "$LXD_PROJECT" --format csv -c n 2>/dev/null || true)
! grep -qx vmft-ee-ct <<<"$containers" || fail "the play left the LXD container vmft-ee-ct behind"

step "ansible-builder create accepts docs/examples/execution-environment.yml"
"$DEV_BIN/ansible-builder" create -f "$ROOT/docs/examples/execution-environment.yml" -c "$WORK/context" \
  --output-filename Containerfile \
  >"$WORK/create.log" 2>&1 || {
  cat "$WORK/create.log" >&2
  fail "ansible-builder create refused docs/examples/execution-environment.yml"
}
[ -f "$WORK/context/_build/collections/$(basename "$tarball")" ] ||
  fail "the example EE does not copy $(basename "$tarball") into its build context (does it name version $version?)"
grep -q 'ansible-galaxy collection install' "$WORK/context/Containerfile" ||
  fail "the example EE's Containerfile installs no collection"

step "passed in $((SECONDS - START)) s"
