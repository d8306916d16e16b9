#!/usr/bin/env bash
# Prints what the test bed's real node may change on this machine, normalised, one item a line:
# network links, addresses, routes, the nft ruleset, mounts, cgroups (two levels), the sysctls the
# node sets, the kubelet's hard-coded folders and the node's processes. Two snapshots, one before
# `testbed up` and one after `testbed down`, must be identical (test/e2e/global-setup.ts).
set -uo pipefail

section() { echo "## $1"; }

section links;    ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
section addresses; ip -o addr show | awk '{print $2, $3, $4}' | sort
section routes;   ip route show table all 2>/dev/null | grep -v '^local\|^broadcast\|^multicast\|fe80::' | sort
section netns;    ls /run/netns 2>/dev/null | sort
section nft;      nft list ruleset 2>/dev/null | sed 's/ # handle [0-9]*//; s/counter packets [0-9]* bytes [0-9]*/counter/'
section mounts;   awk '{print $5, $9}' /proc/self/mountinfo | grep -v '^/proc/\|^/sys/kernel' | sort
section cgroups;  for d in /sys/fs/cgroup/*/; do find "$d" -mindepth 1 -maxdepth 2 -type d 2>/dev/null; done | grep -v '/process_api/' | sort
section sysctls
for s in net.ipv4.ip_forward vm.overcommit_memory kernel.panic kernel.panic_on_oops net.bridge.bridge-nf-call-iptables \
         net.netfilter.nf_conntrack_max net.netfilter.nf_conntrack_tcp_timeout_established; do
  echo "$s=$(sysctl -n "$s" 2>/dev/null || echo absent)"
done
section paths
for p in /run/containerd /run/nri /run/netns /var/lib/kubelet /var/lib/cni /var/log/containers /var/log/pods /etc/cni /opt/cni; do
  if [ -e "$p" ]; then echo "$p present"; else echo "$p absent"; fi
done
section processes
for p in /proc/[0-9]*; do
  tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -oE '^[^ ]*(containerd|kubelet|kube-proxy|runc|pause|/demo)( |$)' | awk '{print $1}'
done | sort
exit 0
