"""Settings of the app's processes in a benchmark: config.settings, with the
per-connection rate limits lifted (one driver connection sends every action), a
longer resume window, and plain static storage, so that pages render with DEBUG off
without collectstatic."""

import warnings

from config.settings import *  # noqa: F403

REALTIME_RATE_BURST = 1_000_000
REALTIME_RATE_PER_SECOND = 1_000_000
# Every benchmark client resumes as soon as its hello arrives; on a loaded machine that
# can take longer than the default 0.3 s, and the socket would send a snapshot instead
# of the replay being measured (bench.catchup). Clients that never resume get theirs
# later; none of the benchmarks has such clients but bench.catchup's snapshot step,
# which subtracts the window it reads from the hello.
REALTIME_RESUME_WINDOW = 2.0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# No collectstatic for a benchmark: WhiteNoise's warning about STATIC_ROOT is noise.
warnings.filterwarnings("ignore", message="No directory at")
