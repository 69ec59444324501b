# The dashboard add-on's image (deploy/addons/dashboard.yaml): the project's Node image with the bundled
# dashboard (dist/dashboard-image, made by `npm run build`). Runs as nobody.
FROM mini-k8s/node:20
COPY app/ /app/
USER 65534:65534
ENTRYPOINT ["node", "/app/main.js"]
