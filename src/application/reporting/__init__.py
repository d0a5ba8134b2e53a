"""Reporting: staff sales reports and the order export, read through one port."""
