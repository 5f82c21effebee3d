#!/usr/bin/env bash
# scripts/test-certs.sh DIR: a throwaway CA (DIR/ca.pem, key DIR/ca.key) and a
# server certificate it signs (DIR/server.pem, DIR/server.key) for localhost
# and 127.0.0.1, for the loopback test servers (Dovecot, the SMTP sink).
#
# rustls/webpki is strict: the server certificate must be an end-entity
# (basicConstraints=critical,CA:FALSE; a bare `openssl req -x509` cert is a
# CA and fails with CaUsedAsEndEntity), the host must be in the SAN (the CN is
# ignored), and the CA must be a real CA (CA:TRUE, keyCertSign).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
command -v openssl >/dev/null 2>&1 || { echo "$0: openssl is not installed (apt-get install openssl)" >&2; exit 1; }
cd "$1"
umask 077
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout ca.key -out ca.pem -days 3650 -subj "/CN=leadmail test CA $(date +%s%N)" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
cat >server.ext <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" \
  -days 825 -sha256 -extfile server.ext -out server.pem 2>/dev/null
rm -f server.csr server.ext
# Clients (which may not run as root) need to read the trust root.
chmod 644 ca.pem server.pem
