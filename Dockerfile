# Switchboard on Debian bookworm with Node 20.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The native UDP I/O addons (media and SIP); the node image keeps Node's headers under /usr/local.
RUN npm_config_nodedir=/usr/local npm run build:native
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20-bookworm-slim
# Debian packages the server uses at run time. The test tools (SIPp, baresip) are listed apart,
# in scripts/debian-packages-test.txt, and stay out of this image.
COPY scripts/debian-packages.txt /tmp/debian-packages.txt
RUN apt-get update \
 && pkgs="$(grep -v '^#' /tmp/debian-packages.txt | awk 'NF{print $1}')" \
 && if [ -n "$pkgs" ]; then apt-get install -y --no-install-recommends $pkgs; fi \
 && rm -rf /var/lib/apt/lists/* /tmp/debian-packages.txt
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/media/native/build/Release/switchboard_udp.node ./media/native/build/Release/switchboard_udp.node
COPY --from=build /app/sip/transport/native/build/Release/switchboard_sip_udp.node ./sip/transport/native/build/Release/switchboard_sip_udp.node
COPY --from=build /app/package.json ./package.json
RUN mkdir -p /data && chown node:node /data
USER node
ENV NODE_ENV=production \
    SWITCHBOARD_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080/tcp 5060/udp 5060/tcp 5061/tcp 5066/tcp 20000-29999/udp
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.SWITCHBOARD_HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/app/main.js"]
