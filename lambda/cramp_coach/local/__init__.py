"""Local tools: the terminal chat, a resolver standing in for Alexa, request envelopes."""
