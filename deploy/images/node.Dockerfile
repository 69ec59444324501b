# Node.js from the host, with the shared libraries `ldd` lists, on top of busybox: a workload image for
# tests that need more than busybox (a UDP echo server, for one), built with no registry.
FROM busybox:latest
COPY rootfs/ /
CMD ["node"]
