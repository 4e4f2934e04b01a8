"""Channels: survey links, e-mail invitations and the mail they are sent with."""
