# One image for every process of the platform, chosen by the first argument:
#   docker run hr-platform people       (a data service, an app, or gateway)
#   docker run hr-platform migrate      (apply every data service's migrations, then exit)
# The names are runtime/platform.ts's; runtime/launch/image-entry.ts reads them.
ARG NODE_IMAGE=node:24-bookworm-slim

# Build: every dependency, then the TypeScript compiled to dist/ (npm run build).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/ packages/
RUN npm ci --no-audit --no-fund
COPY . .
# What the processes read at run time besides dist/ (found from the root
# folder, runtime/repo-root.ts): the Prisma CLI configs and migrations, with
# the TypeScript those configs import (the CLI loads it itself), and the
# committed OpenAPI document the gateway serves at /docs.
RUN npm run build \
 && mkdir /image \
 && cp -r --parents dist generated/openapi.json runtime/db services/*/prisma /image/ \
 && rm -rf /image/dist/test /image/dist/.tsbuildinfo

# Run: production dependencies only (the Prisma CLI among them: it applies
# migrations), the compiled code, and the node image's non-root user.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    LISTEN_HOST=0.0.0.0 \
    LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/ packages/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /image/ ./
USER node
ENTRYPOINT ["node", "--enable-source-maps", "dist/runtime/launch/image-entry.js"]
