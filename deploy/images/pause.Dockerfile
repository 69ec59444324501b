# The infra ("pause") container of every pod: it only holds the pod's namespaces. `sleep` as PID 1
# would ignore SIGTERM, so trap it and exit at once.
FROM scratch
COPY busybox /bin/busybox
CMD ["/bin/busybox", "sh", "-c", "trap 'exit 0' TERM INT; while :; do /bin/busybox sleep 3600 & wait $!; done"]
