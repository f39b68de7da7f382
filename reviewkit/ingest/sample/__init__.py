"""Generated companies: the sample company and the zoo of other company shapes."""
