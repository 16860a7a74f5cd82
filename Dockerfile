# yaa - multi-stage Debian image: build with the -dev packages, run with the runtime ones.
FROM debian:bookworm AS build
COPY scripts/install-deps /tmp/install-deps
RUN /tmp/install-deps
WORKDIR /src
COPY . .
RUN rm -rf build && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DYAA_WERROR=OFF \
 && cmake --build build -j"$(nproc)" --target yaa \
 && ( (cd web && npm ci && npm run build) || mkdir -p web/dist )

FROM debian:bookworm-slim
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libmicrohttpd12 libjansson4 libcurl4 libsqlite3-0 libpq5 libhiredis0.14 libyaml-0-2 \
      libsodium23 libespeak-ng1 espeak-ng-data libcairo2 libpango-1.0-0 libpangocairo-1.0-0 libass9 zlib1g \
      libhunspell-1.7-0 hunspell-ko \
      fontconfig fonts-noto-cjk fonts-dejavu-core ffmpeg ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /app --shell /usr/sbin/nologin yaa
WORKDIR /app
COPY --from=build /src/build/yaa /usr/local/bin/yaa
COPY --from=build /src/migrations ./migrations
COPY --from=build /src/prompts ./prompts
COPY --from=build /src/channels ./channels
COPY --from=build /src/web/dist ./web/dist
RUN mkdir -p /app/data /app/output && chown -R yaa /app
USER yaa
ENV API_HOST=0.0.0.0 API_PORT=8000 YAA_MIGRATIONS_DIR=/app/migrations YAA_WEB_DIR=/app/web/dist
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8000/health || exit 1
CMD ["sh", "-c", "yaa db upgrade && exec yaa serve --host 0.0.0.0 --port 8000"]
