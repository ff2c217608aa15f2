"""The skill as a self-hosted web service (Flask, through flask-ask-sdk's SkillAdapter)."""
