# Node.js, npm and iproute2's ip from the host, with the shared libraries `ldd` lists, on top of busybox:
# a workload image for tests that need more than busybox (a UDP echo server), and the base of the
# cluster's own image on a machine with no container registry.
FROM busybox:latest
COPY rootfs/ /
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
