# etcd from the host (Debian's etcd-server), for `docker compose` with no registry.
FROM scratch
COPY rootfs/ /
ENTRYPOINT ["/usr/bin/etcd"]
