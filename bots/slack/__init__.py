"""The Slack bot: Bolt listeners, Block Kit builders and the outbox delivery."""
