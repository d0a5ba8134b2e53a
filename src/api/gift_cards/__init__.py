"""Gift card routes: staff management and the customer's balance check."""
