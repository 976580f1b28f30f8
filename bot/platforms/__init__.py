"""Chat adapters. Only this package imports discord.py or slack_bolt."""
