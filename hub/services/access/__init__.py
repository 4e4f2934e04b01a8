"""Access: API keys and the roles that decide what each key may do."""
