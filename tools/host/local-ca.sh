#!/usr/bin/env bash
# Makes a local certificate authority and a server certificate for nginx's HTTPS port, the way mkcert does:
#   <dir>/ca.crt       the CA certificate: give it to clients (curl --cacert, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE)
#   <dir>/ca.key       the CA's private key: signs the server certificate, never leaves this folder
#   <dir>/server.crt   the server certificate (localhost, 127.0.0.1, ::1, and the service name nginx), signed by the CA
#   <dir>/server.key   its private key, mode 0600: in the container only nginx's master (root) reads it
#
#   tools/host/local-ca.sh [dir]      (default .secrets/tls; `make up` runs it when the files are missing)
#
# Idempotent: an existing CA is reused (clients that already trust it keep working), an existing server
# certificate is kept unless it expires within 30 days. Nothing here is committed (.secrets/ is git-ignored) and
# nothing goes into an image: compose mounts the two server files as secrets (compose.yaml, `tls_cert`/`tls_key`).
# Uses the host's openssl (Debian's ca-certificates package depends on it, so every machine that has a CA
# bundle has openssl). Why not mkcert itself: it is not packaged for bookworm and this machine reaches no GitHub.
set -euo pipefail
dir=${1:-.secrets/tls}
command -v openssl >/dev/null || { echo "local-ca.sh: openssl is not installed (apt-get install openssl)" >&2; exit 1; }

umask 077
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"

if [ ! -s ca.key ] || [ ! -s ca.crt ]; then
  # ECDSA P-256: every TLS client of the last decade speaks it, and it is cheaper per handshake than RSA-2048.
  # The CA is constrained to signing (basicConstraints CA:true, pathlen 0) and lives 10 years, like mkcert's.
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -days 3650 \
    -subj "/O=scaleout local development CA/CN=scaleout local CA $(hostname) $(date -u +%Y-%m-%d)" \
    -addext "basicConstraints=critical,CA:true,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca.key -out ca.crt 2>/dev/null
  echo "local-ca.sh: created a local CA in $dir/ca.crt (trust it in your clients; it signs only this stack's certificate)"
fi

if [ -s server.crt ] && [ -s server.key ] && openssl x509 -in server.crt -noout -checkend $((30 * 86400)) >/dev/null \
   && openssl verify -CAfile ca.crt server.crt >/dev/null 2>&1; then
  exit 0
fi

# 397 days: the longest validity browsers accept for a server certificate (CA/Browser Forum, since 2020).
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 \
  -subj "/O=scaleout local development/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
cat > server.ext <<'EOF'
basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1,DNS:nginx
EOF
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 397 \
  -extfile server.ext -out server.crt 2>/dev/null
rm -f server.csr server.ext ca.srl
# The certificate is public; the keys are not. 0600 on the host: inside the container the bind-mounted key keeps
# this mode and the host owner, so nginx's workers (uid 101) cannot read it; the master (root) can, and it is the
# only one that needs to: nginx loads certificates while reading its configuration, before the workers exist.
chmod 644 ca.crt server.crt
chmod 600 ca.key server.key
echo "local-ca.sh: created $dir/server.crt for localhost, 127.0.0.1, ::1 and nginx (valid 397 days), signed by $dir/ca.crt"
