"""Ops: what a run covered (its funnel), the alerts raised over runs and outlets, their
delivery to webhooks, and the watcher that evaluates them in the service.

Kept free of imports: the crawl process imports :mod:`crawler.ops.funnel` alone (for the
stats keys it counts), and that must not pull in the catalog or an HTTP client.
"""
