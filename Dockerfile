# Ombud: one image for every process role (ombud start --role api|worker|all); see docs/deploy.md.
FROM node:20-slim

# Debian's Chromium prints the PDF extract of an access request (OMBUD_CHROMIUM). Build with
# --build-arg PDF=0 to leave it out: the extract is then HTML and JSON, and the request says so.
ARG PDF=1
RUN if [ "$PDF" = "1" ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
      && rm -rf /var/lib/apt/lists/*; \
    fi

WORKDIR /app
# The runtime dependencies only: the TypeScript sources run through tsx, which is one of them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY . .

# The data directory: the embedded database (without DATABASE_URL), the audit keys and checkpoints.
RUN mkdir -p /data && chown node:node /data
USER node
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    OMBUD_DATA_DIR=/data \
    NODE_OPTIONS=--max-semi-space-size=64
VOLUME /data
EXPOSE 3000
ENTRYPOINT ["node", "bin/ombud.mjs"]
CMD ["start"]
