"""The HTTP interface of reporting: staff sales reports and the order export."""
