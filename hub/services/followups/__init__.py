"""Follow-ups: routing answers to Slack channels and keeping their bookkeeping."""
