# vmfleet.hosts — `make demo` and `make test` set up everything they need on a fresh Debian 12 (as root).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= /usr/bin/python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
BUILD := $(CURDIR)/.build
COLL := $(BUILD)/ansible_collections/vmfleet/hosts
TRACE := $(BUILD)/exec-trace.log
APT_PACKAGES := python3-venv python3-dev rsync git make gcc pkg-config jq shellcheck curl \
  libvirt-daemon-system libvirt-clients libvirt-dev libxml2-utils qemu-system-x86 qemu-utils \
  openssh-server openssh-client netcat-openbsd genisoimage debootstrap extlinux fdisk e2fsprogs mount lxd lxd-client \
  chromium
# Incus 6.0 LTS comes from Debian's bookworm-backports only (it needs QEMU 8 or later, so it brings backports'
# QEMU too; libvirt 9.0 runs with it). The source is added by `make apt` when a backports package is missing.
BACKPORTS_PACKAGES := incus incus-client
BACKPORTS_SOURCE := /etc/apt/sources.list.d/vmfleet-backports.sources
export ANSIBLE_COLLECTIONS_PATH := $(BUILD)
# pytest and the benchmark import the copied collection as ansible_collections.vmfleet.hosts
export PYTHONPATH := $(BUILD)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(BIN):$(PATH)

.PHONY: demo demo-clean test host-needs host-needs-traced exec-trace deps apt venv daemons collection lint unit sanity ansible-lint integration molecule test-image build bench changelog pin clean

# The real job on this machine: libvirt up, this machine a VM host, a small fleet composed, capacity printed.
demo: collection daemons
	$(BIN)/ansible-playbook -i localhost, playbooks/demo.yml

# Removes what `make demo` made (demo-* VMs, the vmfleet-demo pool, the VM host policy, the hugepages it took).
demo-clean: collection daemons
	$(BIN)/ansible-playbook -i localhost, playbooks/demo_clean.yml

# host-needs first (nothing else is trusted before it), host-needs-traced last (it reads what the others ran).
test: export VMFLEET_EXEC_LOG := $(TRACE)
test: host-needs lint unit collection sanity ansible-lint docs integration ee-proof molecule build changelog host-needs-traced
	@echo "make test: all stages passed"

# Every command and file the code, tools, tests and Makefile need must come from APT_PACKAGES (and what apt
# brings with them) or Debian's base, never from something installed by hand (tools/host_needs/check.py).
host-needs: deps
	$(BIN)/python tools/host_needs/check.py --packages "$(APT_PACKAGES) $(BACKPORTS_PACKAGES)"
	mkdir -p $(BUILD) && : > $(TRACE)

# The same for every command the test run really started (recorded by the venv's exec trace).
host-needs-traced: deps
	$(BIN)/python tools/host_needs/check.py --packages "$(APT_PACKAGES) $(BACKPORTS_PACKAGES)" --trace $(TRACE)

deps: apt venv

# apt only when something is missing, so repeated runs stay fast and work offline.
apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	backports=""; for p in $(BACKPORTS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || backports="$$backports $$p"; done; \
	if [ -n "$$missing$$backports" ]; then \
	  echo "installing apt packages:$$missing$${backports:+ (from bookworm-backports:$$backports)}"; \
	  if [ "$$(id -u)" != 0 ]; then echo "error: apt packages missing ($$missing$$backports) and not root" >&2; exit 1; fi; \
	  if [ -n "$$backports" ] && [ ! -e $(BACKPORTS_SOURCE) ]; then \
	    printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' 'Components: main' \
	      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' > $(BACKPORTS_SOURCE); \
	  fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -q; \
	  if [ -n "$$missing" ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o APT::Install-Recommends=true $$missing; fi; \
	  if [ -n "$$backports" ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o APT::Install-Recommends=true -t bookworm-backports $$backports; fi; \
	fi

venv: $(VENV)/.installed
$(VENV)/.installed: requirements/dev.txt tools/host_needs/exec_trace.py | apt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/dev.txt
	$(MAKE) -s exec-trace
	touch $@

# The audit hook that records every command a Python process of the test run starts (tools/host_needs/).
exec-trace:
	site=$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
	  cp tools/host_needs/exec_trace.py $$site/vmfleet_exec_trace.py; \
	  echo 'import vmfleet_exec_trace' > $$site/vmfleet_exec_trace.pth

# libvirtd, virtlogd, LXD and Incus, started by hand where there is no systemd (tests and demo talk to the real daemons).
daemons: apt
	tools/daemons.sh
	tools/sshd.sh
	tools/lxd_daemon.sh
	tools/incus_daemon.sh

# The collection is copied (not symlinked) to a real ansible_collections/vmfleet/hosts path:
# ansible-test resolves symlinks and insists on that layout; ansible-playbook finds it via ANSIBLE_COLLECTIONS_PATH.
collection: deps
	mkdir -p $(COLL)
	rsync -a --delete --exclude .venv --exclude .build --exclude .git --exclude .pytest_cache \
	  --exclude .ruff_cache --exclude .hypothesis --exclude __pycache__ --exclude '*.tar.gz' \
	  --exclude /tests/output ./ $(COLL)/

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: collection daemons
	cd $(COLL) && $(BIN)/python -m pytest -q -p no:cacheprovider tests/unit

# ansible-test would walk up to this checkout's .git and find .build ignored (and test nothing) without the
# content root; its --venv bootstrap downloads get-pip from a host outside the package registries, so the
# cache gets our stand-in (tools/offline_get_pip.py) under the name ansible-test looks for.
ANSIBLE_TEST_PIP := 24_2
sanity: collection
	mkdir -p $(HOME)/.ansible/test/cache
	cp tools/offline_get_pip.py $(HOME)/.ansible/test/cache/get_pip_$(ANSIBLE_TEST_PIP).py
	cd $(COLL) && ANSIBLE_TEST_CONTENT_ROOT=$(COLL) $(BIN)/ansible-test sanity --venv --python 3.11 --color no

ansible-lint: collection
	cd $(COLL) && $(BIN)/ansible-lint --offline -q --profile production galaxy.yml playbooks roles extensions

# The Debian guest image the guest-boot test boots and the Debian system-container image the LXD tests compose
# from, built from Debian's package mirror and cached under /var/cache/vmfleet-test (rebuilt only when their
# script changes; the container image is imported into the local LXD and Incus as vmfleet-test/debian12).
test-image: apt daemons
	tools/build_test_image.sh
	tools/build_lxd_image.sh
	tools/incus_image.sh

integration: collection daemons test-image
	cd $(COLL) && $(BIN)/python -m pytest -q -p no:cacheprovider tests/integration

# The host preparation roles, each converged twice and verified on a disposable LXD system container its
# scenario creates and destroys (extensions/molecule, containers vmft-role-*); apt downloads are cached in
# /var/cache/vmfleet-test/apt-archives, shared with the containers.
molecule: collection daemons test-image
	cd $(COLL) && NO_COLOR=1 $(BIN)/molecule test --all

# The execution environment's declaration (meta/execution-environment.yml) proven without its base image: a venv
# built only from ansible-core and what ansible-builder introspects in the built tarball composes on libvirtd and
# LXD (tools/ee_proof.sh; it builds the tarball itself).
.PHONY: ee-proof
ee-proof: venv daemons test-image
	tools/ee_proof.sh

# The tarball ships docs/docsite/extra-docs.yml, so the RST pages it lists are written first (they are generated
# from docs/*.md into the build copy only).
build: collection
	$(BIN)/python tools/docsite_rst.py $(COLL)
	cd $(BUILD) && $(BIN)/ansible-galaxy collection build --force $(COLL)

changelog: deps
	$(BIN)/antsibull-changelog lint

# The docsite, offline: antsibull-docs lints modules, roles and the pages of docs/ (extra docs), then renders them
# and Sphinx builds .build/docsite/html. antsibull-docs takes extra docs in RST only, so tools/docsite_rst.py writes
# the RST form of docs/*.md (the one source, what the README links to) into the build copy, never the checkout.
DOCSITE := $(BUILD)/docsite
.PHONY: docs
docs: collection
	$(BIN)/python tools/docsite_rst.py $(COLL)
	cd $(COLL) && GIT_CEILING_DIRECTORIES=$(BUILD) $(BIN)/antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs \
	  --validate-collection-refs all --disallow-unknown-collection-refs .
	rm -rf $(DOCSITE) && mkdir -p $(DOCSITE)/rst && chmod og-w $(DOCSITE)/rst
	$(BIN)/antsibull-docs collection --use-current --squash-hierarchy --fail-on-error --cleanup everything \
	  --dest-dir $(DOCSITE)/rst vmfleet.hosts
	$(BIN)/sphinx-build -q -W --keep-going -b html -c tools/docsite $(DOCSITE)/rst $(DOCSITE)/html
	@echo "make docs: $$(find $(DOCSITE)/html -name '*.html' | wc -l) HTML pages in $(DOCSITE)/html"

# Figures only, never pass/fail: the capacity core, then vm_plan's paths side by side (core, controller, module,
# ansible-playbook with the whole process tree's peak memory; PLAN_BENCH_HUGE=0 skips 10,000 hosts x 100,000), then
# vm_compose unchanged and create runs next to ping and the community anchors on the real daemons, then
# playbooks/fleet.yml over 10 VM hosts and 40 VMs of this machine next to ping (docs/fleet.md). The benches that touch
# the daemons take the integration lock themselves.
bench: collection daemons test-image
	cd $(COLL) && $(BIN)/python bench/plan_bench.py
	cd $(COLL) && $(BIN)/python bench/plan_playbook_bench.py
	cd $(COLL) && $(BIN)/python bench/compose_bench.py
	cd $(COLL) && $(BIN)/python bench/read_path_bench.py
	cd $(COLL) && $(BIN)/python bench/fleet_bench.py

pin:
	$(PYTHON) -m venv $(BUILD)/pin && $(BUILD)/pin/bin/pip install -q -r requirements/dev.in
	{ echo "# Pinned by resolving requirements/dev.in on Debian 12 (Python 3.11). Regenerate with 'make pin'."; \
	  $(BUILD)/pin/bin/pip freeze; } > requirements/dev.txt

clean:
	rm -rf $(BUILD) $(VENV)
