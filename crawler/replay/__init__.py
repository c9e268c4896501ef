"""Replay of the archive with pywb, inside the service: ``/replay/{timestamp}/{url}``."""

from crawler.replay.routes import ARCHIVED_CSP, REPLAY_FRAME_CSP, replay_router
from crawler.replay.server import COLLECTION, PYWB_SPEC, PywbServer, pywb_python

__all__ = ["ARCHIVED_CSP", "COLLECTION", "PYWB_SPEC", "REPLAY_FRAME_CSP", "PywbServer",
           "pywb_python", "replay_router"]
