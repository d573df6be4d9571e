"""Handlers of events from AWS (S3 notifications, streams, queues, schedules): one function per record."""
