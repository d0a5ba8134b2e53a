"""Reporting: staff sales reports and the order export, with the port they read through."""
