"""What tests share that is not a test: fakes, builders, fixtures' helpers, helper processes."""
