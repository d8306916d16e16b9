"""Runs a command and prints its wall time (s) and peak RSS (MiB) as JSON: the child's
ru_maxrss from getrusage(RUSAGE_CHILDREN), which Node cannot read for a child process."""
import json, resource, subprocess, sys, time

start = time.perf_counter()
result = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall_s": wall, "rss_mib": rss_kib / 1024, "status": result.returncode, "stderr": result.stderr.decode()[-500:]}))
