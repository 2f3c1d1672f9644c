#!/usr/bin/env bash
# An SSH server on 127.0.0.1:2222 so the tests reach this machine's libvirtd over qemu+ssh, as a controller
# reaches a remote VM host. It has its own config and host key (the system's sshd, if any, is left alone); root
# logs in with a dedicated key that only works from this machine; the server's host key is recorded in root's
# known_hosts after checking it is the key generated here, so host key checking stays on.
# Idempotent, no systemd needed, needs root. Installs nothing: the Makefile's APT_PACKAGES do that.
# The libvirt URI it prepares:
#   qemu+ssh://root@127.0.0.1:2222/system?keyfile=/root/.ssh/vmfleet_test_ed25519
set -euo pipefail

ADDRESS=127.0.0.1
PORT=2222
CONF_DIR=/etc/ssh/vmfleet-test
CONFIG=$CONF_DIR/sshd_config
HOST_KEY=$CONF_DIR/ssh_host_ed25519_key
PID_FILE=/run/sshd-vmfleet-test.pid
LOG_FILE=/var/log/sshd-vmfleet-test.log
SSH_DIR=/root/.ssh
CLIENT_KEY=$SSH_DIR/vmfleet_test_ed25519
AUTHORIZED_KEYS=$SSH_DIR/authorized_keys
KNOWN_HOSTS=$SSH_DIR/known_hosts
HOST_ENTRY="[$ADDRESS]:$PORT"
URI="qemu+ssh://root@$ADDRESS:$PORT/system?keyfile=$CLIENT_KEY"

fail() {
  echo "error: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || fail "tools/sshd.sh needs root"
for tool in /usr/sbin/sshd ssh ssh-keygen ssh-keyscan virsh; do
  command -v "$tool" >/dev/null || fail "$tool is missing (make apt installs openssh-server and openssh-client)"
done

listening() {
  ssh-keyscan -T 2 -p "$PORT" "$ADDRESS" >/dev/null 2>&1
}

# key type and key material of an OpenSSH public key or known_hosts line, without host names and comments
key_of() {
  awk '{ for (i = 1; i < NF; i++) if ($i ~ /^(ssh-|ecdsa-)/) { print $i, $(i + 1); next } }'
}

# --- server: own host key and config -------------------------------------------------------------------------
# sshd refuses to start (or test a config) without its privilege separation directory (systemd would make it)
mkdir -p /run/sshd
chmod 0755 /run/sshd

install -d -m 0755 "$CONF_DIR"
if [ ! -s "$HOST_KEY" ] || [ ! -s "$HOST_KEY.pub" ]; then
  rm -f "$HOST_KEY" "$HOST_KEY.pub"
  ssh-keygen -q -t ed25519 -N '' -C vmfleet-test-host -f "$HOST_KEY"
fi
chmod 0600 "$HOST_KEY"

wanted_config=$(
  cat <<EOF
# Written by tools/sshd.sh: test sshd for qemu+ssh to this machine's libvirtd.
ListenAddress $ADDRESS:$PORT
HostKey $HOST_KEY
PidFile $PID_FILE
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
AllowUsers root
UsePAM no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
EOF
)
config_changed=no
if [ ! -f "$CONFIG" ] || [ "$(cat "$CONFIG")" != "$wanted_config" ]; then
  printf '%s\n' "$wanted_config" >"$CONFIG.new"
  /usr/sbin/sshd -t -f "$CONFIG.new" || fail "sshd rejects the config in $CONFIG.new"
  mv "$CONFIG.new" "$CONFIG"
  config_changed=yes
fi

if listening; then
  if [ "$config_changed" = yes ] && [ -s "$PID_FILE" ]; then
    kill -HUP "$(cat "$PID_FILE")"  # sshd re-executes itself with the new config
    sleep 0.5
  fi
else
  /usr/sbin/sshd -f "$CONFIG" -E "$LOG_FILE"
fi
for _attempt in $(seq 1 50); do
  listening && break
  sleep 0.1
done
listening || fail "sshd does not answer on $ADDRESS:$PORT (see $LOG_FILE)"

# --- client: a dedicated key for root, usable only from this machine -------------------------------------------
install -d -m 0700 "$SSH_DIR"
if [ ! -s "$CLIENT_KEY" ] || [ ! -s "$CLIENT_KEY.pub" ]; then
  rm -f "$CLIENT_KEY" "$CLIENT_KEY.pub"
  ssh-keygen -q -t ed25519 -N '' -C vmfleet-test-client -f "$CLIENT_KEY"
fi
chmod 0600 "$CLIENT_KEY"
touch "$AUTHORIZED_KEYS"
chmod 0600 "$AUTHORIZED_KEYS"
client_material=$(key_of <"$CLIENT_KEY.pub" | cut -d' ' -f2)
if ! grep -qF "$client_material" "$AUTHORIZED_KEYS"; then
  printf 'from="127.0.0.1,::1" %s\n' "$(cat "$CLIENT_KEY.pub")" >>"$AUTHORIZED_KEYS"
fi

# --- known_hosts: the server's key, checked against the key generated above -------------------------------------
expected=$(key_of <"$HOST_KEY.pub")
served=$(ssh-keyscan -T 5 -t ed25519 -p "$PORT" "$ADDRESS" 2>/dev/null | grep -v '^#' | key_of || true)
[ -n "$served" ] || fail "ssh-keyscan got no ed25519 host key from $HOST_ENTRY"
if [ "$served" != "$expected" ]; then
  fail "the server on $HOST_ENTRY offers a host key that is not $HOST_KEY.pub; not recording it" \
    "(is another sshd listening on port $PORT?)"
fi
[ -e "$KNOWN_HOSTS" ] || install -m 0644 /dev/null "$KNOWN_HOSTS"
recorded=$(ssh-keygen -F "$HOST_ENTRY" -f "$KNOWN_HOSTS" 2>/dev/null | grep -v '^#' | key_of | sort -u || true)
if [ "$recorded" != "$expected" ]; then
  # nothing recorded, or a stale key from an earlier host key: keep only the key checked above
  if [ -n "$recorded" ]; then
    ssh-keygen -q -R "$HOST_ENTRY" -f "$KNOWN_HOSTS" >/dev/null 2>&1
    rm -f "$KNOWN_HOSTS.old"
  fi
  printf '%s %s\n' "$HOST_ENTRY" "$expected" >>"$KNOWN_HOSTS"
fi

# --- the whole path, as the modules take it: ssh with strict host key checking, then libvirt over it ------------
ssh -q -o BatchMode=yes -o IdentitiesOnly=yes -o UpdateHostKeys=no -i "$CLIENT_KEY" -p "$PORT" "root@$ADDRESS" true ||
  fail "root cannot log in to $HOST_ENTRY with $CLIENT_KEY (see $LOG_FILE)"
virsh -q -c "$URI" uri >/dev/null || fail "libvirt does not answer on $URI"
