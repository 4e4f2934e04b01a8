"""feedback-hub: customer feedback through micro-surveys, followed up in Slack."""
