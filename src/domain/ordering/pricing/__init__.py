"""The price pipeline: unit prices -> line promotions -> order promotions -> shipping -> taxes
-> gift cards (ADR 0028). `inputs` is what it is given, `breakdown` what it answers."""
