# sidecar-injector image: one binary (kube-inject, check-inject, serve, drift).
#   docker build -t sidecar-injector:0.1.0 .

# --- build ----------------------------------------------------------------------------
FROM debian:bookworm AS builder
WORKDIR /src
# The dependency script alone first, so the (slow) apt layer is reused while only the
# sources change. It is the project's single list of build dependencies.
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN bash scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
# -j$(nproc) rather than a bare -j: with Makefiles a bare -j starts every compiler at
# once, and this code's template-heavy translation units would exhaust the builder's memory.
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSIDECAR_TESTS=OFF -DSIDECAR_BENCH=OFF \
 && cmake --build build -j"$(nproc)" \
 && strip build/sidecar-injector

# --- runtime --------------------------------------------------------------------------
FROM debian:bookworm-slim
LABEL org.opencontainers.image.title="sidecar-injector" \
      org.opencontainers.image.description="Drop-in replacement for Istio 1.4's sidecar injector"
# Only the shared libraries the binary links (Boost and nlohmann-json are header-only).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libssl3 libyaml-cpp0.7 libsimdjson14 libprometheus-cpp-core1.0 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin nonroot
COPY --from=builder /src/build/sidecar-injector /usr/local/bin/sidecar-injector
# The built-in configuration, as files, for `kube-inject --injectConfigFile` & co. and for
# comparing with the ConfigMaps in a running cluster.
COPY cmd/defaults/ /etc/sidecar-injector/defaults/
# Fail the build, not the rollout, if a runtime library is missing.
RUN ! ldd /usr/local/bin/sidecar-injector | grep 'not found' \
 && /usr/local/bin/sidecar-injector version
# Numeric, so the kubelet can verify runAsNonRoot without reading /etc/passwd.
USER 65532:65532
EXPOSE 9443 15014
ENTRYPOINT ["/usr/local/bin/sidecar-injector"]
CMD ["serve"]
