"""Just enough Django for the plain Channels consumer: the channel layer on REDIS_URL
with channels_redis's defaults (capacity 100, expiry 60 s)."""

import os

SECRET_KEY = "bench-plain-channels-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["channels"]
DATABASES: dict = {}
USE_TZ = True
ASGI_APPLICATION = "bench.plain_channels.asgi.application"
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # redis-py 8 reads with a 5 s timeout and channels_redis blocks for 5 s in
        # BZPOPMIN; without a longer timeout every idle consumer fails
        # (django/channels_redis#422). The app's settings do the same.
        "CONFIG": {"hosts": [{"address": os.environ["REDIS_URL"], "socket_timeout": 10}]},
    }
}
