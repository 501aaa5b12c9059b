# syntax=docker/dockerfile:1
# The backup CronJob's image: git + underlay, non-root, read-only root filesystem friendly.
#
#   docker build -f docker/backup-job.Dockerfile -t underlay-backup:0.1.0 .
#   docker run --read-only --tmpfs /work:uid=10001,gid=10001 underlay-backup:0.1.0 \
#     backup run --repo https://git.example/org/manifests.git --to s3://bucket/underlay
#
# Base: Debian 12 slim with CPython 3.11, pinned by version tag AND digest. The digest was taken
# from a public digest record (not pulled here: no registry access on the build machines); a
# wrong digest makes the build fail loudly rather than use another image. Refresh both together.
ARG PYTHON_IMAGE=docker.io/library/python:3.11.10-slim-bookworm@sha256:5148c0e4bbb64271bca1d3322360ebf4bfb7564507ae32dd639322e4952a6b16

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY stacks ./stacks
COPY bootstrap ./bootstrap
# Every version comes from pyproject (==) and constraints.txt; no cache layer, no compilers.
RUN python -m venv /opt/underlay \
 && /opt/underlay/bin/pip install --no-cache-dir --disable-pip-version-check \
      -c constraints.txt . \
 && /opt/underlay/bin/python -m compileall -q /opt/underlay

FROM ${PYTHON_IMAGE}
# git is the only OS package the job needs (ssh for ssh:// remotes): the Debian bookworm
# candidates as of 2026-11 (apt-cache policy); a superseded version fails the build — bump it.
ARG GIT_VERSION=1:2.39.5-0+deb12u3
ARG OPENSSH_VERSION=1:9.2p1-2+deb12u10
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      git=${GIT_VERSION} openssh-client=${OPENSSH_VERSION} \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 underlay \
 && useradd --uid 10001 --gid 10001 --home-dir /work --no-create-home \
      --shell /usr/sbin/nologin underlay \
 && install -d -o 10001 -g 10001 -m 0700 /work
COPY --from=build /opt/underlay /opt/underlay

# Everything the job writes goes to /work (mount an emptyDir there; the root FS stays
# read-only): clones and bundles, git's and the Azure SDK's HOME, Python's temp files.
ENV PATH=/opt/underlay/bin:/usr/local/bin:/usr/bin:/bin \
    HOME=/work \
    TMPDIR=/work \
    UNDERLAY_WORK_DIR=/work \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GIT_TERMINAL_PROMPT=0
WORKDIR /work
USER 10001:10001
ENTRYPOINT ["underlay"]
CMD ["backup", "--help"]
