# Versions and cache locations of the test bed (sourced by testbed.sh and build.sh).
K8S_VERSION="${TESTBED_K8S_VERSION:-v1.36.3}"
K8S_STAGING_VERSION="v0.${K8S_VERSION#v1.}"
ETCD_VERSION="${TESTBED_ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${TESTBED_KWOK_VERSION:-v0.8.0}"
MS_VERSION="${TESTBED_METRICS_SERVER_VERSION:-v0.9.0}"
TESTBED_CACHE="${AIOPS_TESTBED_CACHE:-$HOME/.cache/kubectl-aiops-testbed}"
K8S_DIR="$TESTBED_CACHE/kubernetes-$K8S_VERSION"
K8S_BINARIES="kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy"
ETCD_DIR="$TESTBED_CACHE/etcd-$ETCD_VERSION"
KWOK_DIR="$TESTBED_CACHE/kwok-$KWOK_VERSION"
MS_DIR="$TESTBED_CACHE/metrics-server-$MS_VERSION"
# The real node: containerd, runc and crictl from their Go modules (Debian's containerd 1.6 is too
# old for kubelet 1.36); kubelet and kube-proxy come from the Kubernetes wrapper module above.
CONTAINERD_VERSION="${TESTBED_CONTAINERD_VERSION:-v2.4.2}"
RUNC_VERSION="${TESTBED_RUNC_VERSION:-v1.5.3}"
CRICTL_VERSION="${TESTBED_CRICTL_VERSION:-v1.37.0}"
NODE_BIN_DIR="$TESTBED_CACHE/node-containerd-$CONTAINERD_VERSION-runc-$RUNC_VERSION-crictl-$CRICTL_VERSION"
