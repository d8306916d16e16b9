# Certificates and keys of the test bed, made with openssl (sourced by scripts/testbed.sh).
# shellcheck shell=bash

_openssl() { openssl "$@" 2>>"$LOGS/openssl.log"; }

# sign_cert <name> <subject> <ca-name> <extensions>
sign_cert() {
  local name="$1" subj="$2" ca="$3" ext="$4"
  [ -f "$PKI/$name.crt" ] && return 0
  _openssl genrsa -out "$PKI/$name.key" 2048
  _openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr"
  printf '%s\n' "$ext" > "$PKI/$name.ext"
  _openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt"
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

make_ca() { # make_ca <name> <CN>
  [ -f "$PKI/$1.crt" ] && return 0
  _openssl genrsa -out "$PKI/$1.key" 2048
  _openssl req -x509 -new -nodes -key "$PKI/$1.key" -subj "/CN=$2" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI/$1.crt"
}

client_cert() { # client_cert <file name> <CN> [O]
  local subj="/CN=$2"
  [ -n "${3:-}" ] && subj="/O=$3/CN=$2"
  sign_cert "$1" "$subj" ca "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
}

ensure_pki() {
  command -v openssl >/dev/null || die "openssl is missing (apt-get install -y openssl)"
  mkdir -p "$PKI" "$LOGS"; chmod 700 "$PKI"
  make_ca ca aiops-testbed-ca
  make_ca front-proxy-ca aiops-testbed-front-proxy-ca
  local serving="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.0.0.1"
  sign_cert apiserver "/CN=kube-apiserver" ca "$serving"
  # one serving certificate for the other local servers (kwok's kubelet API, metrics-server)
  sign_cert serving "/CN=aiops-testbed-serving" ca "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost"
  sign_cert front-proxy-client "/CN=front-proxy-client" front-proxy-ca "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  if [ ! -f "$PKI/sa.key" ]; then
    _openssl genrsa -out "$PKI/sa.key" 2048
    _openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
  fi
  # identities of the components: distinct user names so the audit log tells them apart
  client_cert admin admin system:masters
  client_cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  client_cert kube-controller-manager system:kube-controller-manager system:masters
  client_cert kube-scheduler system:kube-scheduler system:masters
  client_cert kwok system:kwok system:masters
  client_cert metrics-server system:metrics-server system:masters
  local u
  for u in "${TB_USERS[@]}"; do client_cert "user-$u" "$u" "${TB_USER_GROUP[$u]}"; done
  chmod 600 "$PKI"/*.key
}

# write_kubeconfig <file> <user name> <cert name> [context...]: one context per name (default:
# the user name), all pointing at the same cluster and user; the first is the current one.
write_kubeconfig() {
  local file="$1" user="$2" cert="$3"; shift 3
  local contexts=("$@"); [ ${#contexts[@]} -gt 0 ] || contexts=("$user")
  local k=("$KUBECTL" --kubeconfig "$file") c
  rm -f "$file"
  "${k[@]}" config set-cluster testbed --server="https://127.0.0.1:$APISERVER_PORT" \
    --certificate-authority="$PKI/ca.crt" --embed-certs=true >/dev/null
  "${k[@]}" config set-credentials "$user" --client-certificate="$PKI/$cert.crt" \
    --client-key="$PKI/$cert.key" --embed-certs=true >/dev/null
  for c in "${contexts[@]}"; do
    "${k[@]}" config set-context "$c" --cluster=testbed --user="$user" >/dev/null
  done
  "${k[@]}" config use-context "${contexts[0]}" >/dev/null
  chmod 600 "$file"
}
