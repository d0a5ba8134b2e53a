"""Gift card use cases: staff issue and manage cards; orders spend them and get them back."""
