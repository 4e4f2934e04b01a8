"""The console\x27s members: who may sign in with Slack, and with which role."""
