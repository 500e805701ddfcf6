"""Automated response to drift: policies, retraining triggers, rollback, approvals."""
