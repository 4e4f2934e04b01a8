"""The pages the hub serves to the people giving feedback: survey links, opt-out and
the embeddable banner's script."""
