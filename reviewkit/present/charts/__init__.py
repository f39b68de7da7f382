"""Charts in the house style, one module per chart family."""
