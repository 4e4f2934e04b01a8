"""The widget's flow: recording displays and answers, throttling, live events."""
