# Prints the container's own figures as key=value lines, from its cgroup (v1 or v2) and /proc.
cg=/sys/fs/cgroup
first() { for f in "$@"; do [ -r "$f" ] && { cat "$f"; return; }; done; echo 0; }
echo "memory_bytes=$(first $cg/memory/memory.usage_in_bytes $cg/memory.current)"
echo "memory_limit_bytes=$(first $cg/memory/memory.limit_in_bytes $cg/memory.max)"
echo "shmem_bytes=$(awk '$1=="total_shmem"||$1=="shmem"{print $2; exit}' $cg/memory/memory.stat $cg/memory.stat 2>/dev/null)"
if [ -r $cg/cpuacct/cpuacct.usage ]; then
  echo "cpu_ns=$(cat $cg/cpuacct/cpuacct.usage)"
else
  echo "cpu_ns=$(awk '$1=="usage_usec"{print $2*1000}' $cg/cpu.stat 2>/dev/null)"
fi
echo "pids=$(first $cg/pids/pids.current $cg/pids.current)"
df -k "$BOXQ_WORKSPACE" 2>/dev/null | awk 'NR==2{printf "workspace_bytes=%.0f\nworkspace_size_bytes=%.0f\n", $3*1024, $2*1024}'
awk -F'[: ]+' 'NR>2{rx+=$3; tx+=$11} END{printf "rx_bytes=%.0f\ntx_bytes=%.0f\n", rx, tx}' /proc/net/dev
