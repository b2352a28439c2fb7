# sgpsim in a container: the image `sgpsim export job` runs.
#
#   docker build -t sgpsim:0.1.0 .
#   docker run --rm -v "$PWD:/work" -w /work sgpsim:0.1.0 run scenarios/default.toml --out /work/out
#
# Stage 1 builds the release binary; stage 2 is Google's distroless image
# with glibc (no shell, no package manager, about 25 MB with the binary),
# run as an unprivileged user. The instance catalog and the font are
# compiled into the binary: nothing else is copied.

FROM rust:1.89-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml ./
COPY src src
COPY benches benches
COPY data data
COPY assets assets
RUN cargo build --release --locked --bin sgpsim \
 && strip target/release/sgpsim

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/sgpsim /usr/local/bin/sgpsim
# The same numeric user and group as the Job's securityContext.
USER 10001:10001
WORKDIR /data
ENTRYPOINT ["/usr/local/bin/sgpsim"]
CMD ["--help"]
